namespace AmebaOta.Fleet.Airtime;

/// <summary>How a fleet run starts its boards: in order, each as a task of its own once the airtime budget gives it a turn.</summary>
internal static class FleetTurns
{
    /// <summary>
    /// Runs <paramref name="run"/> for boards 0 … <paramref name="count"/> − 1 in order, each once <paramref name="airtime"/>
    /// gives it a turn for its image (<paramref name="imageLength"/>; null: it has no image, and is passed over), so only
    /// the boards under way have a task. Cancelled, no further board starts: each board not started goes to
    /// <paramref name="notStarted"/> at once. Returns when every board started has ended.
    /// </summary>
    public static async Task RunAsync(AirtimeScheduler airtime, int count, Func<int, long?> imageLength, Func<int, AirtimeTicket, Task> run,
        Action<int> notStarted, CancellationToken cancellationToken)
    {
        var running = new List<Task>();
        int next = 0;
        try
        {
            for (; next < count; next++)
            {
                int index = next;
                if (imageLength(index) is not { } length) continue;
                AirtimeTicket turn;
                try
                {
                    turn = await airtime.WaitTurnAsync(length, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    break;
                }
                running.Add(Task.Run(() => run(index, turn), CancellationToken.None));
                if (running.Count >= 256) running.RemoveAll(t => t.IsCompletedSuccessfully);
            }
        }
        finally
        {
            for (int i = next; i < count; i++) notStarted(i);
        }
        await Task.WhenAll(running).ConfigureAwait(false);
    }
}

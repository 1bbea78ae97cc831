namespace AmebaOta.Device;

/// <summary>
/// A seeded failure pattern for the access point (<c>--wifi-flaky [SEED]</c>). It alternates: up for a time drawn
/// from an exponential distribution with mean <see cref="MeanUp"/> (a drop is equally likely at any moment, never
/// less than 100 ms after the last), then down for a time drawn uniformly from <see cref="MinDown"/> to
/// <see cref="MaxDown"/>. The same seed gives the same sequence of durations.
/// </summary>
public sealed record WifiFlakiness(int Seed)
{
    public TimeSpan MeanUp { get; init; } = TimeSpan.FromSeconds(20);
    public TimeSpan MinDown { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxDown { get; init; } = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan ShortestUp = TimeSpan.FromMilliseconds(100);

    /// <summary>The durations: up, down, up, down … (endless).</summary>
    public IEnumerable<TimeSpan> Durations()
    {
        var random = new Random(Seed);
        while (true)
        {
            double up = -Math.Log(1 - random.NextDouble()) * MeanUp.TotalMilliseconds;
            yield return TimeSpan.FromMilliseconds(Math.Max(up, ShortestUp.TotalMilliseconds));
            double down = MinDown.TotalMilliseconds + random.NextDouble() * (MaxDown - MinDown).TotalMilliseconds;
            yield return TimeSpan.FromMilliseconds(down);
        }
    }

    /// <summary>Drives <paramref name="network"/> with this pattern until cancelled, noting each change. Starts by bringing it up.</summary>
    public async Task RunAsync(WifiNetwork network, Action<string> note, CancellationToken cancellationToken)
    {
        network.SetUp(true);
        bool up = true;
        try
        {
            foreach (var duration in Durations())
            {
                await Task.Delay(duration, cancellationToken).ConfigureAwait(false);
                up = !up;
                network.SetUp(up);
                note(up ? "Wi-Fi flaky: access point back up" : "Wi-Fi flaky: access point down");
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}

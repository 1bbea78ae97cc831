using System.Text;
using System.Threading.Channels;
using AmebaOta.Device.Control;

namespace AmebaOta.Device.Farm;

/// <summary>
/// <c>device farm --control PATH</c>: one Unix domain socket for the whole farm. Each line is a <see cref="FarmControl"/>
/// command (<c>MyAmeba-007 reset</c>) answered with one line; <c>follow</c> also turns the connection into a stream of every
/// board's serial output (<see cref="FarmFollowLine"/>): first each board, then the lines each board still keeps
/// (<see cref="SerialBacklog"/>), then every new line as it is printed. A follower that reads too slowly loses lines (the
/// sequence numbers show the gap), never slows a board down.
/// </summary>
public sealed class FarmControlServer : IAsyncDisposable
{
    /// <summary>Follow lines queued for one slow client before newer ones are dropped.</summary>
    public const int MaxQueuedLines = 20_000;

    private readonly FarmControl _control;
    private readonly IReadOnlyDictionary<string, SerialBacklog> _backlogs;
    private readonly ControlSocketServer _socket;

    private FarmControlServer(string path, FarmControl control, IReadOnlyDictionary<string, SerialBacklog> backlogs)
    {
        _control = control;
        _backlogs = backlogs;
        _socket = ControlSocketServer.Start(path, ServeAsync);
    }

    public string Path => _socket.Path;

    /// <summary>Listens at <paramref name="path"/>; throws <see cref="IOException"/> with a one-line reason when it cannot.</summary>
    /// <param name="path">The socket file.</param>
    /// <param name="control">The farm's controls.</param>
    /// <param name="backlogs">Each board's serial backlog, by board name.</param>
    public static FarmControlServer Start(string path, FarmControl control, IReadOnlyDictionary<string, SerialBacklog> backlogs) =>
        new(path, control, backlogs);

    private async Task ServeAsync(Stream stream, CancellationToken stopping)
    {
        var outbox = new Outbox();
        var writing = outbox.WriteAsync(stream, stopping);
        var follows = new List<IDisposable>();
        try
        {
            using var reader = new StreamReader(stream, new UTF8Encoding(false));
            while (!stopping.IsCancellationRequested)
            {
                var (line, tooLong) = await ControlLineReader.ReadLineAsync(reader, BoardControl.MaxLineLength, stopping).ConfigureAwait(false);
                if (line is null) break;
                if (tooLong)
                {
                    outbox.Reply(ControlReply.Error($"command line longer than {BoardControl.MaxLineLength} characters; ignored"));
                }
                else if (line.Trim().Equals("follow", StringComparison.OrdinalIgnoreCase))
                {
                    outbox.Reply(ControlReply.Success($"following {_control.Boards.Count} boards"));
                    if (follows.Count > 0) continue;
                    foreach (var board in _control.Boards) outbox.Follow(FarmFollowLine.ForBoard(board));
                    foreach (var board in _control.Boards)
                    {
                        string name = board.Name;
                        if (_backlogs.TryGetValue(name, out var backlog)) follows.Add(backlog.Follow(l => outbox.Follow(FarmFollowLine.ForLine(name, l))));
                    }
                }
                else if (_control.Execute(line) is { } reply)
                {
                    outbox.Reply(reply);
                }
            }
        }
        finally
        {
            foreach (var f in follows) f.Dispose();
            outbox.Complete();
            await writing.ConfigureAwait(false);
        }
    }

    /// <summary>One connection's output: replies always go out; follow lines beyond <see cref="MaxQueuedLines"/> waiting are dropped.</summary>
    private sealed class Outbox
    {
        private readonly Channel<(string Line, bool Follow)> _lines = Channel.CreateUnbounded<(string, bool)>(new UnboundedChannelOptions { SingleReader = true });
        private int _queuedFollow;

        public void Reply(ControlReply reply) => _lines.Writer.TryWrite((reply.ToString(), false));

        public void Follow(string line)
        {
            if (Interlocked.Increment(ref _queuedFollow) > MaxQueuedLines)
            {
                Interlocked.Decrement(ref _queuedFollow);
                return;
            }
            if (!_lines.Writer.TryWrite((line, true))) Interlocked.Decrement(ref _queuedFollow);
        }

        public void Complete() => _lines.Writer.TryComplete();

        public async Task WriteAsync(Stream stream, CancellationToken stopping)
        {
            try
            {
                await using var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true) { NewLine = "\n" };
                var reader = _lines.Reader;
                while (await reader.WaitToReadAsync(stopping).ConfigureAwait(false))
                {
                    while (reader.TryRead(out var item))
                    {
                        if (item.Follow) Interlocked.Decrement(ref _queuedFollow);
                        await writer.WriteLineAsync(item.Line).ConfigureAwait(false);
                    }
                    await writer.FlushAsync(stopping).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
            {
                // The client went away, or the farm stops.
            }
        }
    }

    public async ValueTask DisposeAsync() => await _socket.DisposeAsync().ConfigureAwait(false);
}

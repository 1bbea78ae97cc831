using System.Net;
using System.Threading.Channels;
using AmebaOta.Device;
using AmebaOta.Families;

namespace AmebaOta.Cli.Demo;

/// <summary>One boot of the demo board: the loader's decision, where the receiver listens, the serial lines the sketch printed.</summary>
public sealed record DemoBoot(IBootOutcome Boot, IPEndPoint Listening, IReadOnlyList<string> SketchLines);

/// <summary>Follows the demo board's boots: each <see cref="NextBootAsync"/> waits for the next boot decision and for that boot's OTA receiver to listen.</summary>
public sealed class DemoBoardWatch
{
    private readonly Channel<IBootOutcome> _boots = Channel.CreateUnbounded<IBootOutcome>();
    private readonly Channel<IPEndPoint> _listening = Channel.CreateUnbounded<IPEndPoint>();
    private readonly Lock _gate = new();
    private List<string> _sinceBoot = [];

    public void Attach(VirtualBoard board)
    {
        board.Booted += boot =>
        {
            lock (_gate) _sinceBoot = [];
            _boots.Writer.TryWrite(boot);
        };
        board.OtaListening += endPoint => _listening.Writer.TryWrite(endPoint);
    }

    /// <summary>Feed every serial line of the board here.</summary>
    public void Serial(string line)
    {
        lock (_gate) _sinceBoot.Add(line);
    }

    /// <summary>The next boot, once its sketch listens for an upload; null when that does not happen within <paramref name="timeout"/>.</summary>
    public async Task<DemoBoot?> NextBootAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            var boot = await _boots.Reader.ReadAsync(limit.Token);
            var endPoint = await _listening.Reader.ReadAsync(limit.Token);
            List<string> lines;
            lock (_gate) lines = [.. _sinceBoot];
            return new DemoBoot(boot, endPoint, lines);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }
}

using System.Net.Sockets;

namespace AmebaOta.Tests.Support;

/// <summary>
/// The board's side of a connection that carries an image, as a test sees it: reads at a board's pace (a pause first, as
/// a receiver erasing, then a steady rate) and says how the stream ended: with a reset, or with a FIN after how many bytes.
/// </summary>
public sealed class PacedPeer
{
    private long _read;

    /// <summary>Bytes read so far.</summary>
    public long Read => Interlocked.Read(ref _read);

    /// <summary>How the stream ended: <see cref="WireCapture.Ending.Fin"/> or <see cref="WireCapture.Ending.Reset"/>, and the bytes read before.</summary>
    public sealed record Result(WireCapture.Ending Ending, long Bytes);

    /// <summary>Reads <paramref name="socket"/> to its end, in 1460-byte reads, at about <paramref name="bytesPerSecond"/> after <paramref name="pauseAfter"/>
    /// bytes have been followed by <paramref name="pause"/>.</summary>
    public async Task<Result> ReadToEndAsync(Socket socket, double bytesPerSecond, long pauseAfter = 0, TimeSpan pause = default, TimeSpan? limit = null)
    {
        var buffer = new byte[1460];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var paused = TimeSpan.Zero;
        using var deadline = new CancellationTokenSource(limit ?? TimeSpan.FromSeconds(60));
        try
        {
            while (true)
            {
                int n = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
                if (n == 0) return new Result(WireCapture.Ending.Fin, Read);
                long before = Interlocked.Add(ref _read, n) - n;
                if (before < pauseAfter && Read >= pauseAfter && pause > TimeSpan.Zero)
                {
                    await Task.Delay(pause, deadline.Token);
                    paused += pause;
                }
                var due = TimeSpan.FromSeconds(Read / bytesPerSecond) + paused - clock.Elapsed;
                if (due > TimeSpan.FromMilliseconds(1)) await Task.Delay(due, deadline.Token);
            }
        }
        catch (SocketException)
        {
            return new Result(WireCapture.Ending.Reset, Read);
        }
    }

    /// <summary>Waits until at least <paramref name="bytes"/> have been read (or the read ended).</summary>
    public async Task WaitForAsync(long bytes, Task ended)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (Read < bytes && !ended.IsCompleted) await Task.Delay(2, deadline.Token);
    }
}

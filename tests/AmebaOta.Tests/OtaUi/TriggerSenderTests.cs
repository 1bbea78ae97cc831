using System.Net;
using System.Net.Sockets;
using AmebaOta.Protocol.OtaUi.Updates;

namespace AmebaOta.Tests.OtaUi;

/// <summary>
/// <see cref="TriggerSender"/> against a listener that behaves as an AmebaPro2 sketch's (echo, then close 500 ms later):
/// a stop that lands once <c>start_ota</c> is out no longer loses the board (it downloads whatever the host does next),
/// while a stop before it sends nothing.
/// </summary>
public class TriggerSenderTests
{
    /// <summary>Accepts one connection, echoes what it reads, signals, then holds the connection <paramref name="hold"/> and closes it.</summary>
    private static (IPEndPoint At, Task<byte[]> Read, TaskCompletionSource Echoed) Board(TimeSpan hold)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var echoed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var read = Task.Run(async () =>
        {
            using var _ = listener.Server;
            using var client = await listener.AcceptSocketAsync();
            listener.Stop();
            var buffer = new byte[1024];
            int n = await client.ReceiveAsync(buffer);
            await client.SendAsync(buffer.AsMemory(0, n));
            echoed.TrySetResult();
            await Task.Delay(hold);
            return buffer[..n];
        });
        return ((IPEndPoint)listener.LocalEndpoint, read, echoed);
    }

    [Fact]
    public async Task A_stop_after_start_ota_went_out_still_gets_the_echo_and_the_boards_close()
    {
        var (at, read, echoed) = Board(TimeSpan.FromMilliseconds(500));
        using var stop = new CancellationTokenSource();
        _ = echoed.Task.ContinueWith(_ => stop.Cancel(), TaskScheduler.Default);

        var result = await TriggerSender.SendAsync(at, TimeSpan.FromSeconds(5), stop.Token, afterSent: CancellationToken.None);

        Assert.True(stop.IsCancellationRequested);
        Assert.Equal(TriggerOutcome.Echoed, result.Outcome);
        Assert.True(result.EchoMatches);
        Assert.NotNull(result.BoardClosedAfter);
        Assert.Equal(TriggerSender.Signal.ToArray(), await read);
    }

    [Fact]
    public async Task A_stop_before_the_signal_sends_nothing()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            using var stop = new CancellationTokenSource();
            stop.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                TriggerSender.SendAsync((IPEndPoint)listener.LocalEndpoint, TimeSpan.FromSeconds(5), stop.Token, afterSent: CancellationToken.None));
        }
        finally
        {
            listener.Stop();
        }
    }
}

using System.Net;
using AmebaOta.Boards;
using AmebaOta.Families.AmebaD.Boot;
using AmebaOta.Families.AmebaD.Flash;
using AmebaOta.Families.AmebaD.Push;
using AmebaOta.Flash;
using AmebaOta.Protocol;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Families.AmebaD;

/// <summary>An <see cref="AmebaDOtaReceiver"/> on an in-memory chip, listening on 127.0.0.1 at a free port, its serial lines collected.</summary>
public sealed class AmebaDReceiverHarness
{
    private AmebaDReceiverHarness(NorFlash flash) => Flash = flash;

    public NorFlash Flash { get; }
    public LineLog Lines { get; } = new();
    public Task<AmebaDReceiveResult> Result { get; private set; } = null!;
    public IPEndPoint Board { get; private set; } = null!;
    public OtaReceiverActivity Activity { get; } = new();
    public SerialPrinter Serial { get; private set; } = null!;

    /// <summary>Starts beginOTA on the bank the chip boots now, and returns once it listens (or has finished without listening).</summary>
    public static async Task<AmebaDReceiverHarness> StartAsync(NorFlash flash, TimeSpan? receiveTimeout = null, CancellationToken cancellationToken = default, int port = 0,
        int? receiveWindow = AmebaDReceiverOptions.LwipWindow)
    {
        var harness = new AmebaDReceiverHarness(flash);
        harness.Serial = new SerialPrinter(harness.Lines.Add);
        var listening = new TaskCompletionSource<IPEndPoint>(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = new AmebaDReceiverOptions(IPAddress.Loopback, port)
        {
            CurrentBank = AmebaDBootLoader.Boot(flash).Bank ?? OtaBank.Ota1,
            ReceiveTimeout = receiveTimeout ?? AmebaDReceiverOptions.DefaultReceiveTimeout,
            Listening = listening.SetResult,
            Activity = harness.Activity,
            ResetDelay = TimeSpan.Zero,
            ReceiveWindow = receiveWindow,
        };
        harness.Result = Task.Run(() => new AmebaDOtaReceiver(flash, harness.Serial).BeginOtaAsync(options, cancellationToken), cancellationToken);
        var first = await Task.WhenAny(listening.Task, harness.Result).WaitAsync(TimeSpan.FromSeconds(10));
        if (first == listening.Task) harness.Board = await listening.Task;
        return harness;
    }

    public async Task<AmebaDReceiveResult> FinishAsync()
    {
        var result = await Result.WaitAsync(TimeSpan.FromSeconds(30));
        Serial.Flush();
        return result;
    }

    /// <summary>The lines from the accept on, without the ones that hold the client's port.</summary>
    public string[] LinesAfterAccept() => [.. Lines.Lines.SkipWhile(l => !l.StartsWith("[syncOTAAddr]", StringComparison.Ordinal))];

    public AmebaDBootResult Boot() => AmebaDBootLoader.Boot(Flash);
}

/// <summary>A minimal raw TCP sender of an AmebaD push (what Realtek's DownloadServer does): the 12-byte preamble, then the file in 1 KiB pieces.</summary>
public static class AmebaDRawSender
{
    /// <summary>
    /// Sends <paramref name="file"/> (an OTA_All.bin) and closes with FIN, then waits for the board's close; returns the
    /// bytes the board sent (none, on a stock board). <paramref name="oneWrite"/>: the preamble and the file in a single
    /// write, so a board with a large receive window finds all of it queued and reads full 512-byte chunks (power-cut
    /// campaigns need the same flash operations on every run).
    /// </summary>
    public static async Task<int> SendAsync(IPEndPoint board, byte[] file, int? stopAfter = null, Func<int, Task>? between = null, bool oneWrite = false)
    {
        using var client = await RawClient.ConnectAsync(board);
        try
        {
            if (oneWrite)
            {
                await client.SendAsync((byte[])[.. OtaHeader.For(file).ToArray(), .. file]);
                client.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
                return await DrainAsync(client);
            }
            await client.SendAsync(OtaHeader.For(file).ToArray());
            int end = stopAfter ?? file.Length;
            for (int at = 0; at < end; at += 1024)
            {
                if (between is not null) await between(at);
                await client.SendAsync(file.AsMemory(at, Math.Min(1024, end - at)));
            }
            client.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        }
        catch (System.Net.Sockets.SocketException)
        {
            return -1;   // the board closed with data unread: reset
        }
        return await DrainAsync(client);
    }

    /// <summary>Reads until the board closes: the bytes it sent, or -1 when it reset the connection.</summary>
    public static async Task<int> DrainAsync(RawClient client)
    {
        var buffer = new byte[256];
        int total = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            while (true)
            {
                int n = await client.Socket.ReceiveAsync(buffer, System.Net.Sockets.SocketFlags.None, timeout.Token);
                if (n == 0) return total;
                total += n;
            }
        }
        catch (System.Net.Sockets.SocketException)
        {
            return -1;
        }
    }
}

using System.Collections.Concurrent;
using System.Net;
using AmebaOta.Boards;
using AmebaOta.Families.AmebaPro2.Boot;
using AmebaOta.Families.AmebaPro2.Flash;
using AmebaOta.Families.AmebaPro2.Images;
using AmebaOta.Families.AmebaPro2.Ota;
using AmebaOta.Flash;
using AmebaOta.Images;
using AmebaOta.Protocol.OtaUi;
using AmebaOta.Protocol.OtaUi.Board;

namespace AmebaOta.Tests.OtaUi;

/// <summary>
/// An AmebaPro2 on a loopback address for the host's in-process tests: its 16 MiB flash (partition table, USB-uploaded
/// firmware), the boot code's choice between FW1 and FW2, and the board's own OTA UI client (the protocol layer's
/// <see cref="OtaUiClient"/> with AmebaPro2's <c>http_update_ota</c>) running while the booted image is an OTA UI
/// sketch; a successful update resets it, and so does <see cref="ResetAsync"/> (the reset button). The board library's
/// clock runs <paramref name="speedup"/> times faster, so its heartbeat interval is 3.5 s divided by it.
/// </summary>
public sealed class Pro2TestBoard : IAsyncDisposable
{
    private readonly string _host;
    private readonly int _port;
    private readonly OtaUiTiming _timing;
    private readonly TimeSpan _bootTime;
    private CancellationTokenSource _power = new();
    private Task _running = Task.CompletedTask;
    private OtaUiClient? _client;

    public Pro2TestBoard(IPAddress address, byte[] initial, IPEndPoint server, double speedup, bool otaMode = true)
    {
        Address = address;
        _host = server.Address.ToString();
        _port = server.Port;
        _timing = OtaUiTiming.Real.Faster(speedup);
        _bootTime = TimeSpan.FromSeconds(3) / speedup;
        Flash = Pro2BlankChip.Create(otaMode: otaMode);
        Pro2UsbUpload.Write(Flash, Pro2Image.Parse(initial));
    }

    public IPAddress Address { get; }
    public NorFlash Flash { get; }
    public ConcurrentQueue<string> Serial { get; } = new();

    /// <summary>Times it booted (power-on included).</summary>
    public int Boots => Volatile.Read(ref _boots);
    private int _boots;

    /// <summary>What the boot code chose at the last boot.</summary>
    public Pro2BootOutcome? LastBoot { get; private set; }

    /// <summary>The OTA UI state of the running sketch (null: not running one).</summary>
    public OtaUiState? State => _client?.State;

    /// <summary>An image for this board: an OTA UI sketch that beats to <paramref name="server"/>.</summary>
    public static byte[] Image(uint version, IPEndPoint server, int manifestVersion = 1, ulong? timestamp = null, int? size = null) =>
        Pro2ImageBuilder.Build(new Pro2ImageOptions(
            new SketchDescriptor(version, Board: BoardKind.Rtl8735b, Mode: SketchMode.OtaHttp, Server: $"{server.Address}:{server.Port}"),
            manifestVersion, timestamp ?? (ulong)(1_700_000_000 + version), size));

    /// <summary>Powers it on.</summary>
    public void Start() => _running = RunAsync(_power.Token);

    /// <summary>The reset button: whatever runs stops, the boot code chooses again.</summary>
    public async Task ResetAsync()
    {
        await _power.CancelAsync();
        await Quietly(_running);
        _power = new CancellationTokenSource();
        Start();
    }

    /// <summary>Waits until <paramref name="condition"/> holds (checked every 20 ms) or <paramref name="timeout"/> passes.</summary>
    public async Task<bool> WaitForAsync(Func<Pro2TestBoard, bool> condition, TimeSpan timeout)
    {
        var end = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < end)
        {
            if (condition(this)) return true;
            await Task.Delay(20);
        }
        return condition(this);
    }

    private async Task RunAsync(CancellationToken power)
    {
        while (!power.IsCancellationRequested)
        {
            var boot = Pro2BootLoader.Boot(Flash);
            LastBoot = boot;
            Interlocked.Increment(ref _boots);
            foreach (var line in boot.Log) Serial.Enqueue(line);
            if (!boot.Started || boot.Sketch is not { Mode: SketchMode.OtaHttp }) return;
            var printer = new SerialPrinter(Serial.Enqueue);
            var board = new PullBoard(Flash, printer, Address, BoardKind.Rtl8735b);
            var client = new OtaUiClient(board, Pro2OtaUiProfile.Instance, _host, _port, boot, _timing, note: Serial.Enqueue);
            _client = client;
            var exit = await client.RunAsync(power);
            _client = null;
            if (exit == OtaUiClientExit.Crashed) await Task.Delay(Timeout.Infinite, power);
            await Task.Delay(_bootTime, power);   // ota_platform_reset, boot ROM, boot loader, Wi-Fi, the sketch's own waits
        }
    }

    private static async Task Quietly(Task task)
    {
        try { await task; }
        catch (OperationCanceledException) { }
    }

    public async ValueTask DisposeAsync()
    {
        await _power.CancelAsync();
        await Quietly(_running);
    }
}

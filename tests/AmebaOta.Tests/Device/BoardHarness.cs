using System.Net;
using AmebaOta.Device;
using AmebaOta.Flash;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Device;

/// <summary>A <see cref="VirtualBoard"/> running in-process on a real flash file, at a free port on 127.0.0.1, its output collected.</summary>
public sealed class BoardHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _power = new();
    private readonly List<IPEndPoint> _listening = [];
    private readonly Lock _gate = new();

    public BoardHarness(TempDir dir, byte[] defaultImage, Func<VirtualBoardOptions, VirtualBoardOptions>? configure = null)
        : this(dir, TestImages.ChipWith(defaultImage), configure)
    {
    }

    /// <summary>A board on <paramref name="chip"/> (any family's; the options name the family).</summary>
    public BoardHarness(TempDir dir, NorFlash chip, Func<VirtualBoardOptions, VirtualBoardOptions>? configure = null)
    {
        FlashPath = dir.File("board.bin");
        FlashFile.Save(chip, FlashPath);
        var options = new VirtualBoardOptions
        {
            FlashPath = FlashPath,
            PortOverride = 0,
            ReceiveTimeout = TimeSpan.FromSeconds(10),
            FlashTiming = FlashTiming.Instant,
            Console = new DelegateBoardConsole(Serial.Add, Notes.Add),
        };
        Board = VirtualBoard.Open(configure?.Invoke(options) ?? options);
        Board.OtaListening += ep => { lock (_gate) _listening.Add(ep); };
        Board.ListenerChanged += ep => Listener.Add(ep is null ? "closed" : $"open {ep}");
        Board.AdvertisingChanged += name => Mdns.Add(name is null ? "silent" : $"advertising {name}");
        Running = Task.Run(() => Board.RunAsync(_power.Token));
    }

    public string FlashPath { get; }
    public VirtualBoard Board { get; }
    public LineLog Serial { get; } = new();
    public LineLog Notes { get; } = new();

    /// <summary>The OTA socket as it opens ("open 127.0.0.1:PORT") and closes ("closed").</summary>
    public LineLog Listener { get; } = new();

    /// <summary>mDNS as the board starts answering ("advertising NAME") and goes silent ("silent").</summary>
    public LineLog Mdns { get; } = new();
    public Task Running { get; }

    /// <summary>The OTA end point, once the n-th "Wait for client" has been printed.</summary>
    public async Task<IPEndPoint> WaitForClientAsync(int occurrence = 1, string line = "Wait for client")
    {
        await Serial.WaitForAsync(line, occurrence);
        lock (_gate) return _listening[occurrence - 1];
    }

    /// <summary>Powers the board off and returns the flash file as it was written back.</summary>
    public async Task<NorFlash> PowerOffAsync()
    {
        await _power.CancelAsync();
        await Running.WaitAsync(TimeSpan.FromSeconds(10));
        return FlashFile.Load(FlashPath);
    }

    public async ValueTask DisposeAsync()
    {
        if (_power.IsCancellationRequested) return;   // already powered off (a test may dispose one board of a group early)
        await _power.CancelAsync();
        try { await Running.WaitAsync(TimeSpan.FromSeconds(10)); } catch (OperationCanceledException) { }
        _power.Dispose();
    }
}

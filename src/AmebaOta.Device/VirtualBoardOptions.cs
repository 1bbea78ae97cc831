using System.Net;
using AmebaOta.Discovery;
using AmebaOta.Pins;
using Microsoft.Extensions.Logging;

namespace AmebaOta.Device;

/// <summary>How one virtual board is wired up. Everything has a default except where its flash lives.</summary>
public sealed record VirtualBoardOptions
{
    /// <summary>The family of chip the board is: its boot code and the sketches it can run. Default: Ameba1.</summary>
    public Families.IVirtualFamily Family { get; init; } = Families.Ameba1.Ameba1VirtualFamily.Instance;

    /// <summary>The flash file the board boots from and writes back to (after each OTA attempt and on shutdown). Null: in memory only.</summary>
    public string? FlashPath { get; init; }

    /// <summary>Address the OTA receiver binds to (the stock code binds INADDR_ANY; the virtual board stays on one address).</summary>
    public IPAddress BindAddress { get; init; } = IPAddress.Loopback;

    /// <summary>Listen here instead of the sketch's port. 0: a free port, chosen once at power-on and kept across reboots.</summary>
    public int? PortOverride { get; init; }

    /// <summary>Pin levels at reset (the recovery pin). Read at every boot, so changing them and calling <see cref="VirtualBoard.Reset"/> works like holding a button.</summary>
    public PinLevels Pins { get; init; } = new();

    /// <summary>SO_RCVTIMEO of the OTA receiver (30 s on a real board).</summary>
    public TimeSpan ReceiveTimeout { get; init; } = AmebaOta.Families.Ameba1.Push.OtaReceiverOptions.DefaultReceiveTimeout;

    public IBoardConsole Console { get; init; } = DelegateBoardConsole.Null;

    /// <summary>Makes the mDNS responder a sketch starts (one per boot). Null: not advertised, the port is just listened on.</summary>
    public Func<IServiceAdvertiser>? AdvertiserFactory { get; init; }

    /// <summary>The access point the board joins: up by default; <c>SetUp(false)</c> drops the board's link. Holds across resets.</summary>
    public WifiNetwork Wifi { get; init; } = new();

    /// <summary>Drive <see cref="Wifi"/> with this seeded failure pattern while the board runs. Null: it changes only when told.</summary>
    public WifiFlakiness? WifiFlaky { get; init; }

    /// <summary>Makes each boot's Wi-Fi link. Null (the default): a <see cref="WifiLink"/> on <see cref="Wifi"/>.</summary>
    public Func<IWifiLink>? WifiFactory { get; init; }

    /// <summary>
    /// How long the board's flash takes for each erase, program and read (docs/reference section 9). Default: datasheet typical
    /// values, so an OTA takes the time it takes on hardware; tests that are not about time may choose
    /// <see cref="Flash.FlashTiming.Instant"/>.
    /// </summary>
    public Flash.FlashTiming FlashTiming { get; init; } = Flash.FlashTiming.Typical;

    /// <summary>The sketches' delays (tick, Wi-Fi check and retry, OTA retry). Default: the real ones.</summary>
    public Sketches.SketchTiming Timing { get; init; } = Sketches.SketchTiming.Real;

    /// <summary>
    /// <see cref="VirtualBoard.PowerCut"/> cuts power at the next flash operation; if none comes within this time, the
    /// board is simply power-cycled (nothing was being written, so nothing can tear).
    /// </summary>
    public TimeSpan PowerCutGrace { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Run this sketch when the booted image has no sketch descriptor (real ARM code). Null: say so and idle.</summary>
    public Images.SketchDescriptor? DefaultSketch { get; init; }

    /// <summary>The server every pull or OTA UI sketch this board runs talks to, HOST:PORT, instead of the one compiled into the image (null: the image's).</summary>
    public string? ServerOverride { get; init; }

    /// <summary>The mDNS device name every sketch this board runs uses, instead of the one in the image's descriptor; holds across reboots and updates. Null: the image's.</summary>
    public string? DeviceName { get; init; }

    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Where the board shares its flash sectors with other boards (a farm's), after each boot; null: its flash is its own.</summary>
    public Flash.FlashSectorPool? SectorPool { get; init; }
}

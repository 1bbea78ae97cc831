using System.Net;
using AmebaOta.Families.Ameba1.Flash;
using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Flash;
using AmebaOta.Images;
using Microsoft.Extensions.Logging;

namespace AmebaOta.Device.Farm;

/// <summary>How a <see cref="DeviceFarm"/> is laid out: how many boards, where their flash files live, their addresses, port and names.</summary>
public sealed record DeviceFarmOptions
{
    /// <summary>The most boards one farm runs (each has an address of its own on 127.0.0.0/8; all share one mDNS socket).</summary>
    public const int MaxBoards = 4000;

    public const string DefaultNamePrefix = SketchDescriptor.DefaultDeviceName;
    public static readonly IPAddress DefaultBaseAddress = IPAddress.Parse("127.0.0.2");

    /// <summary>How many boards (1 to <see cref="MaxBoards"/>).</summary>
    public required int Count { get; init; }

    /// <summary>Directory of the flash files <c>board-001.bin</c> …; created when missing.</summary>
    public required string Directory { get; init; }

    /// <summary>Written as Default Image 2 (as a USB/DAP upload would) into every flash file that does not exist yet. Null: every file must exist.</summary>
    public ImageFile? Image { get; init; }

    /// <summary>Size of the flash files the farm creates.</summary>
    public int FlashSize { get; init; } = FlashLayout.OneMiB;

    /// <summary>The first board's address; the others count up from it, on 127.0.0.0/8 only.</summary>
    public IPAddress BaseAddress { get; init; } = DefaultBaseAddress;

    /// <summary>The OTA port every board listens on, each on its own address (overrides the images' port).</summary>
    public int Port { get; init; } = SketchDescriptor.DefaultPort;

    /// <summary>Board k advertises <c>&lt;prefix&gt;-00k</c> by mDNS, whatever its image says, across reboots and updates.</summary>
    public string NamePrefix { get; init; } = DefaultNamePrefix;

    /// <summary>Interface of the boards' mDNS responders (name or address). Null: the one that holds the boards' addresses (loopback).</summary>
    public string? MdnsInterface { get; init; }

    /// <summary>False: the boards only listen, nothing is advertised.</summary>
    public bool Advertise { get; init; } = true;

    public TimeSpan ReceiveTimeout { get; init; } = AmebaOta.Families.Ameba1.Push.OtaReceiverOptions.DefaultReceiveTimeout;

    /// <summary>Every board's flash timing (default: datasheet typical values).</summary>
    public FlashTiming FlashTiming { get; init; } = FlashTiming.Typical;

    /// <summary>Where each board's serial output and notes go (one console per board, e.g. prefixing its name).</summary>
    public Func<FarmBoardPlan, IBoardConsole> ConsoleFor { get; init; } = _ => DelegateBoardConsole.Null;

    public ILoggerFactory? LoggerFactory { get; init; }
}

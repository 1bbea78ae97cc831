using System.Net;
using AmebaOta.Families;
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

    /// <summary>
    /// Images written (as a USB upload of the board's family would: Ameba1 Default Image 2, AmebaD OTA1) into every flash
    /// file that does not exist yet, each into the boards of its own family. Empty: every file must exist.
    /// </summary>
    public IReadOnlyList<IFirmwareImage> Images { get; init; } = [];

    /// <summary>The one image of a single-family farm (sets <see cref="Images"/>); null when there is none.</summary>
    public IFirmwareImage? Image
    {
        get => Images.Count > 0 ? Images[0] : null;
        init => Images = value is null ? [] : [value];
    }

    /// <summary>
    /// The families of the boards, in board order: (family, how many). Null: every board of the family of the first image
    /// (Ameba1 without one). The counts add up to <see cref="Count"/>. An existing flash file boots as the family its boot
    /// code says.
    /// </summary>
    public IReadOnlyList<(BoardFamily Family, int Count)>? Mix { get; init; }

    /// <summary>Size of the flash files the farm creates. Null: the family's default (Ameba1 1 MiB, AmebaD 2 MiB).</summary>
    public int? FlashSize { get; init; }

    /// <summary>The sketches' delays (Wi-Fi waits, mDNS registration). Default: the real ones.</summary>
    public Sketches.SketchTiming Timing { get; init; } = Sketches.SketchTiming.Real;

    /// <summary>The first board's address; the others count up from it, on 127.0.0.0/8 only.</summary>
    public IPAddress BaseAddress { get; init; } = DefaultBaseAddress;

    /// <summary>The OTA port every board listens on, each on its own address (overrides the images' port). Null: each board's family's (Ameba1 5000, AmebaD 8082).</summary>
    public int? Port { get; init; }

    /// <summary>Board k advertises <c>&lt;prefix&gt;-00k</c> by mDNS, whatever its image says, across reboots and updates.</summary>
    public string NamePrefix { get; init; } = DefaultNamePrefix;

    /// <summary>Interface of the boards' mDNS responders (name or address). Null: the one that holds the boards' addresses (loopback).</summary>
    public string? MdnsInterface { get; init; }

    /// <summary>False: the boards only listen, nothing is advertised.</summary>
    public bool Advertise { get; init; } = true;

    /// <summary>Each OTA receiver's read timeout. Null: each board's family's (Ameba1 30 s, AmebaD 3 s).</summary>
    public TimeSpan? ReceiveTimeout { get; init; }

    /// <summary>Every board's flash timing (default: datasheet typical values).</summary>
    public FlashTiming FlashTiming { get; init; } = FlashTiming.Typical;

    /// <summary>Each family's flash timing (its own parts' profile of the name asked for). Null: <see cref="FlashTiming"/> for every board.</summary>
    public Func<BoardFamily, FlashTiming>? FlashTimingFor { get; init; }

    /// <summary>Where each board's serial output and notes go (one console per board, e.g. prefixing its name).</summary>
    public Func<FarmBoardPlan, IBoardConsole> ConsoleFor { get; init; } = _ => DelegateBoardConsole.Null;

    public ILoggerFactory? LoggerFactory { get; init; }
}

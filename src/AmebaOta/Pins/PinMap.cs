
namespace AmebaOta.Pins;

/// <summary>Arduino pin numbers to chip pins for a board variant (docs/reference section 3).</summary>
public sealed class PinMap
{
    private readonly Dictionary<int, ChipPin> _toChip;

    private PinMap(BoardKind board, params (int Arduino, string Chip)[] pins)
    {
        Board = board;
        _toChip = pins.ToDictionary(p => p.Arduino, p => ChipPin.TryParse(p.Chip, out var c) ? c : throw new InvalidOperationException(p.Chip));
    }

    /// <summary>The board this map is for.</summary>
    public BoardKind Board { get; }
    /// <summary>Every Arduino pin with its chip pin, in Arduino order.</summary>
    public IEnumerable<(int Arduino, ChipPin Chip)> Pins => _toChip.OrderBy(p => p.Key).Select(p => (p.Key, p.Value));

    /// <summary>The RTL8195A board's pin map.</summary>
    public static PinMap Rtl8195a { get; } = new(BoardKind.Rtl8195a,
        (0, "PA_6"), (1, "PA_7"), (2, "PA_5"), (3, "PD_4"), (4, "PD_5"), (5, "PA_4"), (6, "PA_3"), (7, "PA_2"),
        (8, "PB_4"), (9, "PB_5"), (10, "PC_0"), (11, "PC_2"), (12, "PC_3"), (13, "PC_1"), (14, "PB_3"), (15, "PB_2"),
        (16, "PA_1"), (17, "PA_0"), (18, "PE_5"));

    /// <summary>The RTL8710 board's pin map.</summary>
    public static PinMap Rtl8710 { get; } = new(BoardKind.Rtl8710,
        (2, "PA_5"), (5, "PA_4"), (10, "PC_0"), (11, "PC_2"), (12, "PC_3"), (13, "PC_1"), (14, "PB_3"), (15, "PB_2"), (17, "PA_0"));

    /// <summary>
    /// AmebaD boards: no pin the OTA path reads. The boot loader's forced-OTA1 GPIO (<c>Force_OTA1_GPIO</c>) is 0xFF,
    /// disabled, in Realtek's prebuilt <c>km0_boot_all.bin</c> (<c>rtl8721d_bootcfg.c</c>), and the OTA library sets no recovery pin.
    /// </summary>
    public static PinMap Rtl8721d { get; } = new(BoardKind.Rtl8721d);

    /// <summary>AmebaPro2 (AMB82-mini): no pin the OTA path or the boot choice reads (the partition table's OTA trap pin is off).</summary>
    public static PinMap Rtl8735b { get; } = new(BoardKind.Rtl8735b);

    /// <summary>The pin map of <paramref name="board"/>.</summary>
    public static PinMap For(BoardKind board) => board switch
    {
        BoardKind.Rtl8710 => Rtl8710,
        BoardKind.Rtl8721d => Rtl8721d,
        BoardKind.Rtl8735b => Rtl8735b,
        _ => Rtl8195a,
    };

    /// <summary>The chip pin behind Arduino pin <paramref name="arduinoPin"/>, or null when the board has none.</summary>
    public ChipPin? ToChip(int arduinoPin) => _toChip.TryGetValue(arduinoPin, out var chip) ? chip : null;

    /// <summary>The Arduino pin number of <paramref name="chip"/>, or null when it has none.</summary>
    public int? ToArduino(ChipPin chip)
    {
        foreach (var (arduino, c) in _toChip) if (c == chip) return arduino;
        return null;
    }
}

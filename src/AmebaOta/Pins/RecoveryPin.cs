
namespace AmebaOta.Pins;

/// <summary>One recovery-pin byte of system data word 0x9008: 0xFF unused; bit 7 the active level; bits 0–6 the chip pin.</summary>
public readonly record struct RecoveryPin(byte Raw)
{
    /// <summary>The raw byte of an unused slot.</summary>
    public const byte Unused = 0xFF;
    /// <summary>True when the slot holds a pin.</summary>
    public bool IsUsed => Raw != Unused;
    /// <summary>The level that forces the default image.</summary>
    public PinLevel ActiveLevel => (Raw & 0x80) != 0 ? PinLevel.High : PinLevel.Low;
    /// <summary>The chip pin in the slot.</summary>
    public ChipPin Chip => new((byte)(Raw & 0x7F));

    /// <summary>The byte <c>setRecoverPin</c> stores for an Arduino pin: active HIGH (0x80) | chip pin.</summary>
    public static RecoveryPin ActiveHighFor(ChipPin chip) => new((byte)(0x80 | chip.Value));

    /// <summary>A readable description, e.g. <c>PE_5 (Arduino 18) active HIGH</c>.</summary>
    public string Describe(PinMap map)
    {
        if (!IsUsed) return "unused";
        int? arduino = map.ToArduino(Chip);
        string arduinoText = arduino is { } a ? $"Arduino pin {a} on {BoardKinds.Id(map.Board)}" : $"no Arduino pin on {BoardKinds.Id(map.Board)}";
        return $"{Chip.Name} ({arduinoText}), active {(ActiveLevel == PinLevel.High ? "HIGH" : "LOW")}";
    }
}

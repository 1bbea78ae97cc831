namespace AmebaOta.Boot;

/// <summary>One recovery-pin byte of system data word 0x9008: 0xFF unused; bit 7 the active level; bits 0–6 the chip pin.</summary>
public readonly record struct RecoveryPin(byte Raw)
{
    public const byte Unused = 0xFF;
    public bool IsUsed => Raw != Unused;
    public PinLevel ActiveLevel => (Raw & 0x80) != 0 ? PinLevel.High : PinLevel.Low;
    public ChipPin Chip => new((byte)(Raw & 0x7F));

    /// <summary>The byte <c>setRecoverPin</c> stores for an Arduino pin: active HIGH (0x80) | chip pin.</summary>
    public static RecoveryPin ActiveHighFor(ChipPin chip) => new((byte)(0x80 | chip.Value));

    public string Describe(PinMap map)
    {
        if (!IsUsed) return "unused";
        int? arduino = map.ToArduino(Chip);
        string arduinoText = arduino is { } a ? $"Arduino pin {a} on {BoardKinds.Id(map.Board)}" : $"no Arduino pin on {BoardKinds.Id(map.Board)}";
        return $"{Chip.Name} ({arduinoText}), active {(ActiveLevel == PinLevel.High ? "HIGH" : "LOW")}";
    }
}

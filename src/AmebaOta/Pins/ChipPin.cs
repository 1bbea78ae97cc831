namespace AmebaOta.Pins;

/// <summary>A chip pin name as the SDK encodes it: <c>port &lt;&lt; 4 | pin</c>, ports A=0 … K=10 (PE_5 = 0x45).</summary>
public readonly record struct ChipPin(byte Value)
{
    /// <summary>Port number (0 = A).</summary>
    public int Port => Value >> 4;
    /// <summary>Pin number within the port.</summary>
    public int Pin => Value & 0xF;
    /// <summary>The pin's name, e.g. <c>PE_5</c>.</summary>
    public string Name => Port <= 10 ? $"P{(char)('A' + Port)}_{Pin}" : $"0x{Value:x2}";
    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>Parses a chip pin name such as <c>PE_5</c>.</summary>
    public static bool TryParse(string text, out ChipPin pin)
    {
        pin = default;
        string t = text.Trim().ToUpperInvariant();
        if (t.Length is < 4 or > 5 || t[0] != 'P' || t[2] != '_') return false;
        int port = t[1] - 'A';
        if (port is < 0 or > 10 || !int.TryParse(t.AsSpan(3), out int n) || n is < 0 or > 15) return false;
        pin = new ChipPin((byte)(port << 4 | n));
        return true;
    }
}

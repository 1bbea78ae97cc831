using System.Numerics;

namespace AmebaOta.Families.AmebaPro2.Images;

/// <summary>
/// The manifest's 32-byte VERSION as the boot code ranks it. Realtek's build files write FF…FF for images without a
/// version and FE FF…FF for firmware (version 1, every Arduino build); the ranking code is in the closed boot ROM. We
/// read the field as a counter of cleared bits (FF…FF = 0, FE FF… = 1, FC FF… = 2, …, bit 0 of byte 0 first), which
/// orders Realtek's values as their tools intend (docs/reference section 11.3).
/// </summary>
public static class Pro2Version
{
    /// <summary>Bytes in the field.</summary>
    public const int Size = 32;

    /// <summary>The highest level: every bit cleared.</summary>
    public const int MaxLevel = Size * 8;

    /// <summary>What every Arduino build carries: FE FF…FF.</summary>
    public const int ArduinoLevel = 1;

    /// <summary>The level of a VERSION value: how many of its bits are cleared.</summary>
    public static int Level(ReadOnlySpan<byte> version)
    {
        int cleared = 0;
        foreach (byte b in version) cleared += 8 - BitOperations.PopCount(b);
        return cleared;
    }

    /// <summary>The 32 bytes for <paramref name="level"/>: the lowest <paramref name="level"/> bits cleared, bit 0 of byte 0 first.</summary>
    public static byte[] ForLevel(int level)
    {
        if (level is < 0 or > MaxLevel) throw new ArgumentOutOfRangeException(nameof(level), $"a manifest version is 0 to {MaxLevel}");
        var bytes = new byte[Size];
        Array.Fill(bytes, (byte)0xFF);
        for (int bit = 0; bit < level; bit++) bytes[bit / 8] &= (byte)~(1 << (bit % 8));
        return bytes;
    }

    /// <summary>The field as hex, as Realtek's JSON writes it (<c>FEFFFF…</c>).</summary>
    public static string Hex(ReadOnlySpan<byte> version) => Convert.ToHexString(version);
}

namespace AmebaOta.Images;

/// <summary>Deterministic filler that stands in for code in test images: it differs per seed (the version), so two versions have different checksums.</summary>
public static class FillerPattern
{
    /// <summary>Fills <paramref name="span"/> with the xorshift sequence of <paramref name="seed"/>.</summary>
    public static void Fill(Span<byte> span, uint seed)
    {
        uint x = seed * 2654435761u + 0x9E3779B9u;
        for (int i = 0; i < span.Length; i++)
        {
            x ^= x << 13; x ^= x >> 17; x ^= x << 5;
            span[i] = (byte)x;
        }
    }
}

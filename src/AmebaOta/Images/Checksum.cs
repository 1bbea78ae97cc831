using System.Numerics;
using System.Runtime.InteropServices;

namespace AmebaOta.Images;

/// <summary>The OTA checksum: the u32 wrapping sum of every byte (stock <c>checksum</c> and <c>upload_ota</c>).</summary>
public static class Checksum
{
    /// <summary>The u32 wrapping sum of every byte, as the OTA header and the board compute it.</summary>
    public static uint ByteSum(ReadOnlySpan<byte> bytes) => Add(0, bytes);

    /// <summary>Adds <paramref name="bytes"/> to a running sum, so streams can be summed chunk by chunk.</summary>
    public static uint Add(uint sum, ReadOnlySpan<byte> bytes)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && bytes.Length >= Vector<byte>.Count)
        {
            var acc = Vector<uint>.Zero;
            var vectors = MemoryMarshal.Cast<byte, Vector<byte>>(bytes);
            foreach (var v in vectors)
            {
                Vector.Widen(v, out Vector<ushort> lo, out Vector<ushort> hi);
                Vector.Widen(lo + hi, out Vector<uint> a, out Vector<uint> b);
                acc += a + b;
            }
            sum += Vector.Sum(acc);
            i = vectors.Length * Vector<byte>.Count;
        }
        for (; i < bytes.Length; i++) sum += bytes[i];
        return sum;
    }
}

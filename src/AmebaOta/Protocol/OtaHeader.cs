using System.Buffers.Binary;

namespace AmebaOta.Protocol;

/// <summary>
/// The 12 bytes the host sends before the image (docs/reference sections 6 and 7): <c>{checksum, 0, length}</c>, three little-endian u32.
/// The checksum is the u32 wrapping byte sum of the whole file.
/// </summary>
public readonly record struct OtaHeader(uint Checksum, uint Reserved, uint Length)
{
    /// <summary>Header size on the wire: 12 bytes.</summary>
    public const int Size = 12;

    /// <summary>The header the stock <c>upload_ota</c> sends for this file.</summary>
    public static OtaHeader For(ReadOnlySpan<byte> image) => new(Images.Checksum.ByteSum(image), 0, (uint)image.Length);

    /// <summary>Reads a header. Bytes missing from <paramref name="bytes"/> (a short read) count as zero.</summary>
    public static OtaHeader Read(ReadOnlySpan<byte> bytes)
    {
        Span<byte> full = stackalloc byte[Size];
        full.Clear();
        bytes[..Math.Min(bytes.Length, Size)].CopyTo(full);
        return new OtaHeader(
            BinaryPrimitives.ReadUInt32LittleEndian(full),
            BinaryPrimitives.ReadUInt32LittleEndian(full[4..]),
            BinaryPrimitives.ReadUInt32LittleEndian(full[8..]));
    }

    /// <summary>Writes the three little-endian words.</summary>
    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Checksum);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Reserved);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], Length);
    }

    /// <summary>The 12 bytes as sent.</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[Size];
        Write(bytes);
        return bytes;
    }
}

using System.Buffers.Binary;

namespace AmebaOta.Families.Ameba1.Pull;

/// <summary>
/// What an <c>update_ota_local</c> download server sends first: 12 bytes <c>{checksum, 0, file size}</c> (u32 LE), in one
/// segment (the board reads it with one <c>read()</c> of 12 bytes). The board prints the checksum (<c>tx chechsum</c>) but
/// never uses it; the file size counts the 4-byte trailer, since the board reads that many bytes and takes the last 4
/// of them as the checksum that counts.
/// </summary>
public static class SdkLocalHeader
{
    /// <summary>Header size in bytes.</summary>
    public const int Size = 12;

    /// <summary>The header for <paramref name="image"/>: its byte-sum, 0, and its length plus the trailer.</summary>
    public static byte[] For(PullImage image)
    {
        var header = new byte[Size];
        BinaryPrimitives.WriteUInt32LittleEndian(header, image.Checksum);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), (uint)image.WithTrailer.Length);
        return header;
    }
}

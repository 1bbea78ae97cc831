using System.Buffers.Binary;

namespace AmebaOta.Families.Ameba1.Images;

/// <summary>The first 32 bytes of flash: four magic words and Image 1's segment header, whose third word points at Default Image 2.</summary>
public static class Image1Header
{
    /// <summary>Header size in bytes.</summary>
    public const int Size = 32;
    /// <summary>The magic words Image 1 starts with.</summary>
    public static ReadOnlySpan<uint> Magic => [0x96969999, 0xFC66CC3F, 0x03CC33C0, 0x6231DCE5];
    /// <summary>Where Image 1 is loaded.</summary>
    public const uint LoadAddress = 0x10000BC8;

    /// <summary>True when <paramref name="first32"/> starts with the Image 1 magic words.</summary>
    public static bool HasMagic(ReadOnlySpan<byte> first32)
    {
        if (first32.Length < 16) return false;
        for (int i = 0; i < 4; i++)
            if (BinaryPrimitives.ReadUInt32LittleEndian(first32[(i * 4)..]) != Magic[i]) return false;
        return true;
    }

    /// <summary>Writes the header for an Image 1 body of <paramref name="bodyLength"/> bytes that points at Image 2 at <paramref name="image2Offset"/>.</summary>
    public static void Write(Span<byte> destination, uint bodyLength, uint image2Offset)
    {
        for (int i = 0; i < 4; i++) BinaryPrimitives.WriteUInt32LittleEndian(destination[(i * 4)..], Magic[i]);
        new SegmentHeader(bodyLength, LoadAddress, 0xFFFF0000u | (image2Offset / 1024), 0xFFFFFFFF).Write(destination[16..]);
    }

    /// <summary>Where the boot loader looks for Default Image 2: u16 at 0x18 × 1024, or u32 at 0x10 + 32 when that u16 is 0.</summary>
    public static uint DefaultImage2Address(ReadOnlySpan<byte> first32)
    {
        ushort kib = BinaryPrimitives.ReadUInt16LittleEndian(first32[0x18..]);
        return kib != 0 ? kib * 1024u : BinaryPrimitives.ReadUInt32LittleEndian(first32[0x10..]) + 32;
    }
}

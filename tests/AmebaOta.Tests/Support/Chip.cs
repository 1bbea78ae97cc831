using System.Buffers.Binary;
using System.Text;
using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Flash;
using AmebaOta.Images;

namespace AmebaOta.Tests.Support;

/// <summary>Raw chip set-up for tests, written from the reference's bytes (docs/reference) (not through the library's higher-level writers).</summary>
public static class Chip
{
    /// <summary>"81958711" / "01958711" as ASCII on flash (docs/reference section 2).</summary>
    public static byte[] SignatureBytes(string state) => state switch
    {
        "new" => Encoding.ASCII.GetBytes("81958711"),
        "old" => Encoding.ASCII.GetBytes("01958711"),
        "none" => [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    /// <summary>An ota.bin-format image (unsigned) of exactly <paramref name="fileSize"/> bytes with its signature bytes replaced.</summary>
    public static byte[] Image(uint version, int fileSize, string signature, bool sdram = false)
    {
        var bytes = ImageBuilder.Build(new ImageBuildOptions(new SketchDescriptor(version), fileSize, sdram));
        SignatureBytes(signature).CopyTo(bytes, 8);
        return bytes;
    }

    /// <summary>Erases the sectors the bytes cover, then programs them: how anything is put on NOR flash.</summary>
    public static void Write(NorFlash flash, uint address, ReadOnlySpan<byte> bytes)
    {
        for (uint s = address & ~0xFFFu; s < address + bytes.Length; s += 0x1000) flash.EraseSector(s);
        flash.Program(address, bytes);
    }

    public static void WriteU32(NorFlash flash, uint address, uint value)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        flash.Program(address, b);
    }

    public static uint U32(ReadOnlySpan<byte> bytes, uint offset) => BinaryPrimitives.ReadUInt32LittleEndian(bytes[(int)offset..]);
}

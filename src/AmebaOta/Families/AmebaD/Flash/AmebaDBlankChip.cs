using System.Buffers.Binary;
using AmebaOta.Flash;

namespace AmebaOta.Families.AmebaD.Flash;

/// <summary>
/// A chip as a USB upload of any sketch leaves the boot area: the KM0 boot image at 0x0 and the KM4 boot image at 0x4000,
/// each headed as Realtek's prebuilt <c>km0_boot_all.bin</c> / <c>km4_boot_all.bin</c> are (the boot pattern
/// 0x96969999 0xFC66CC3F, size, load address, 16 × 0xFF), both OTA banks erased. The virtual board models the boot code,
/// so its bodies stay erased.
/// </summary>
public static class AmebaDBlankChip
{
    /// <summary>First word of a boot image header (as in Ameba1's Image 1).</summary>
    public const uint BootPattern1 = 0x96969999;
    /// <summary>Second word of a boot image header.</summary>
    public const uint BootPattern2 = 0xFC66CC3F;

    /// <summary>KM0 boot: body size and load address in Realtek's km0_boot_all.bin.</summary>
    public const uint Km0BootSize = 0x7F0, Km0BootLoad = 0x08000020;
    /// <summary>KM4 boot: an empty XIP header, then the RAM part's size and load address, as in Realtek's km4_boot_all.bin.</summary>
    public const uint Km4BootXipLoad = 0x08004020, Km4BootRamSize = 0x1128, Km4BootRamLoad = 0x1007D000;

    /// <summary>A chip of <paramref name="size"/> bytes (2 MiB) with the boot images' headers in place, everything else erased.</summary>
    public static NorFlash Create(int size)
    {
        var flash = new NorFlash(size);
        WriteBootImages(flash);
        return flash;
    }

    /// <summary>Writes the two boot images' headers, as the first two files of a USB upload.</summary>
    public static void WriteBootImages(NorFlash flash)
    {
        flash.Program(AmebaDFlashLayout.Km0Boot, Header(Km0BootSize, Km0BootLoad));
        flash.Program(AmebaDFlashLayout.Km4Boot, Header(0, Km4BootXipLoad));
        flash.Program(AmebaDFlashLayout.Km4Boot + 0x20, Header(Km4BootRamSize, Km4BootRamLoad));
    }

    /// <summary>True when a boot image header stands at <paramref name="offset"/>.</summary>
    public static bool HasBootImage(ReadOnlySpan<byte> chip, uint offset) =>
        chip.Length >= offset + 8 && BinaryPrimitives.ReadUInt32LittleEndian(chip[(int)offset..]) == BootPattern1
        && BinaryPrimitives.ReadUInt32LittleEndian(chip[((int)offset + 4)..]) == BootPattern2;

    private static byte[] Header(uint size, uint load)
    {
        var header = new byte[32];
        header.AsSpan().Fill(0xFF);
        BinaryPrimitives.WriteUInt32LittleEndian(header, BootPattern1);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), BootPattern2);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), size);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(12), load);
        return header;
    }
}

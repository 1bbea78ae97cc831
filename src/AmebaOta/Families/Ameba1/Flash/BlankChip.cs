using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Flash;

namespace AmebaOta.Families.Ameba1.Flash;

/// <summary>A factory-fresh chip: all 0xFF except an Image 1 header that points at Default Image 2 (0xB000).</summary>
public static class BlankChip
{
    /// <summary>Image 1's body length in the header: the rest of its 32 KiB region. The virtual board models Image 1, so its body stays erased.</summary>
    public const uint Image1BodyLength = FlashLayout.Image1Size - Image1Header.Size;

    /// <summary>A new chip of <paramref name="size"/> bytes, all 0xFF (erased).</summary>
    public static NorFlash Create(int size)
    {
        var flash = new NorFlash(size);
        Span<byte> header = stackalloc byte[Image1Header.Size];
        Image1Header.Write(header, Image1BodyLength, FlashLayout.DefaultImage2);
        flash.Program(FlashLayout.Image1, header);
        return flash;
    }
}

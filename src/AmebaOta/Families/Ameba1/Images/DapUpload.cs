using AmebaOta.Families.Ameba1.Flash;
using AmebaOta.Flash;
using AmebaOta.Images;

namespace AmebaOta.Families.Ameba1.Images;

/// <summary>What a USB/DAP upload wrote.</summary>
public sealed record DapUploadResult(uint Image2Address, int BytesWritten, int SectorsErased, bool WroteImage1);

/// <summary>
/// What a USB/DAP (drag-and-drop) upload does to the chip: the Default Image 2 is written signed "new", and system
/// data is erased, so the board has no OTA address afterwards and boots Default Image 2.
/// </summary>
public static class DapUpload
{
    /// <summary>Writes <paramref name="image"/> as Default Image 2, as a USB (DAP) upload does.</summary>
    public static DapUploadResult Write(NorFlash flash, ImageFile image)
    {
        if (image.Kind == ImageFileKind.RamAll)
        {
            var bytes = (byte[])image.Bytes.Clone();
            Sign(bytes.AsSpan(image.Image2Offset));
            CheckFits(flash, 0, bytes.Length);
            int erased = WriteErased(flash, 0, bytes, skipRfCalibration: true);
            // ram_all.bin's 0xFF padding already erased system data unless the file stops before it.
            if (bytes.Length <= FlashLayout.SystemData) { flash.EraseSector(FlashLayout.SystemData); erased++; }
            return new DapUploadResult((uint)image.Image2Offset, bytes.Length, erased, WroteImage1: true);
        }

        var image1 = flash.Read(0, Image1Header.Size);
        if (!Image1Header.HasMagic(image1))
            throw new ImageFormatException(
                "the flash has no Image 1 header (erased chip?), so there is no Default Image 2 address: upload a ram_all.bin, which carries Image 1, or start from 'flash create'");
        var segments = image.Image2Segments.ToArray();
        Sign(segments);
        uint address = Image1Header.DefaultImage2Address(image1);
        CheckFits(flash, address, segments.Length);
        int sectors = WriteErased(flash, address, segments, skipRfCalibration: false);
        flash.EraseSector(FlashLayout.SystemData);
        return new DapUploadResult(address, segments.Length, sectors + 1, WroteImage1: false);
    }

    private static void Sign(Span<byte> image2)
    {
        SegmentHeader.Read(image2).WithSignature(SignatureState.New).Write(image2);
    }

    private static void CheckFits(NorFlash flash, uint address, int length)
    {
        if (address + (long)length > flash.Size)
            throw new ImageFormatException(
                $"the image ({length} bytes at 0x{address:x}) does not fit this {flash.Size / 1024} KiB chip");
    }

    private static int WriteErased(NorFlash flash, uint address, ReadOnlySpan<byte> bytes, bool skipRfCalibration)
    {
        int sectors = 0;
        for (uint sector = address & ~(uint)(FlashLayout.SectorSize - 1); sector < address + bytes.Length; sector += FlashLayout.SectorSize)
        {
            if (skipRfCalibration && sector == FlashLayout.RfCalibration) continue;
            flash.EraseSector(sector);
            sectors++;
            uint from = Math.Max(sector, address), to = Math.Min(sector + FlashLayout.SectorSize, address + (uint)bytes.Length);
            flash.Program(from, bytes.Slice((int)(from - address), (int)(to - from)));
        }
        return sectors;
    }
}

using AmebaOta.Families.AmebaD.Images;
using AmebaOta.Flash;
using AmebaOta.Images;

namespace AmebaOta.Families.AmebaD.Flash;

/// <summary>What a USB upload wrote.</summary>
public sealed record AmebaDUsbUploadResult(int BytesWritten, int SectorsErased, bool ErasedAll, bool Ota2StillValid);

/// <summary>
/// What the Arduino IDE's USB upload of an AmebaD sketch does (Realtek's <c>upload_image_tool</c>): erase, then write
/// <c>km0_boot_all.bin</c> at 0x0, <c>km4_boot_all.bin</c> at 0x4000 and <c>km0_km4_image2.bin</c> at 0x6000, which is
/// OTA1, each over <c>ceil(size / 4096)</c> sectors erased first. OTA2 and system data are left alone, hence the
/// USB-after-OTA trap: if OTA2 holds a valid image, the board keeps booting it. The IDE's "Erase Flash: Erase only" erases
/// the whole chip (<c>eraseAll</c>).
/// </summary>
public static class AmebaDUsbUpload
{
    /// <summary>Sectors the upload tool erases for each boot image (<c>km0_boot_all.bin</c> is 4500 bytes, <c>km4_boot_all.bin</c> 4456).</summary>
    public const int BootImageSectors = 2;

    /// <summary>Writes <paramref name="image"/> (its km0_km4_image2.bin part) as a USB upload does.</summary>
    public static AmebaDUsbUploadResult Write(NorFlash flash, AmebaDImageFile image, bool eraseAll = false)
    {
        if (flash.Size < AmebaDFlashLayout.ChipSize)
            throw new ImageFormatException($"an AmebaD flash is 2 MiB; this one is {flash.Size / 1024} KiB");
        var bytes = image.ImageBytes;
        if (bytes.Length > AmebaDFlashLayout.BankSize)
            throw new ImageFormatException(
                $"the image is {bytes.Length} bytes, more than OTA1's {AmebaDFlashLayout.BankSize} (0x{AmebaDFlashLayout.BankSize:X}): Realtek's upload tool would write over the user data and OTA2");
        int erased = 0;
        if (eraseAll)
        {
            for (uint sector = 0; sector < flash.Size; sector += AmebaDFlashLayout.SectorSize) flash.EraseSector(sector);
            erased = flash.Size / AmebaDFlashLayout.SectorSize;
        }
        else
        {
            foreach (uint boot in new[] { AmebaDFlashLayout.Km0Boot, AmebaDFlashLayout.Km4Boot })
                for (int i = 0; i < BootImageSectors; i++, erased++) flash.EraseSector(boot + (uint)(i * AmebaDFlashLayout.SectorSize));
            int sectors = (bytes.Length + AmebaDFlashLayout.SectorSize - 1) / AmebaDFlashLayout.SectorSize;
            for (int i = 0; i < sectors; i++, erased++) flash.EraseSector(AmebaDFlashLayout.Ota1 + (uint)(i * AmebaDFlashLayout.SectorSize));
        }
        AmebaDBlankChip.WriteBootImages(flash);
        flash.Program(AmebaDFlashLayout.Ota1, bytes);
        return new AmebaDUsbUploadResult(bytes.Length, erased, eraseAll, AmebaDBank.Read(flash, OtaBank.Ota2).IsValid);
    }
}

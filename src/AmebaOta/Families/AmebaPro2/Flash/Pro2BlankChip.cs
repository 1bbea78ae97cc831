using AmebaOta.Families.AmebaPro2.Images;
using AmebaOta.Flash;

namespace AmebaOta.Families.AmebaPro2.Flash;

/// <summary>
/// A 16 MiB AmebaPro2 chip as it leaves a first USB upload without an application: the partition table for the chosen
/// OTA Mode at 0x1000/0x2000 and a boot loader image (its manifest, label RTL8735B, type IMG_BL) at 0x9000; both
/// firmware slots erased.
/// </summary>
public static class Pro2BlankChip
{
    /// <summary>The chip size of every AmebaPro2 board the Arduino package supports.</summary>
    public const int ChipSize = NorFlash.SixteenMiB;

    /// <summary>A chip with the table for <paramref name="otaMode"/> (OTA Mode: Enable when true).</summary>
    public static NorFlash Create(int size = ChipSize, bool otaMode = true)
    {
        var flash = new NorFlash(size);
        Pro2PartitionTable.Default(otaMode).Write(flash);
        var boot = new byte[NorFlash.SectorSize];
        Pro2Manifest.Write(boot, Pro2ImageTypes.BootLoader, Pro2Version.ForLevel(Pro2Version.ArduinoLevel), 0, 0);
        flash.Program(Pro2PartitionTable.BootLoaderStart, boot);
        flash.MarkClean();
        return flash;
    }
}

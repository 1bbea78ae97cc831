using AmebaOta.Flash;

namespace AmebaOta.Families.Ameba1.Flash;

/// <summary>Addresses and sizes of the Ameba flash layout (docs/reference section 1).</summary>
public static class FlashLayout
{
    /// <summary>Erase unit: 4 KiB.</summary>
    public const int SectorSize = NorFlash.SectorSize;
    /// <summary>1 MiB chip.</summary>
    public const int OneMiB = NorFlash.OneMiB;
    /// <summary>2 MiB chip.</summary>
    public const int TwoMiB = NorFlash.TwoMiB;

    /// <summary>Image 1 (the boot loader) at 0x0.</summary>
    public const uint Image1 = 0x000000;
    /// <summary>Space reserved for Image 1.</summary>
    public const uint Image1Size = 0x8000;
    /// <summary>Backup sector used while rewriting system data.</summary>
    public const uint BackupSector = 0x008000;
    /// <summary>System data sector (OTA address, recovery pins).</summary>
    public const uint SystemData = 0x009000;
    /// <summary>RF calibration data.</summary>
    public const uint RfCalibration = 0x00A000;
    /// <summary>Where the default Image 2 lives (0xB000).</summary>
    public const uint DefaultImage2 = 0x00B000;
    /// <summary>Where OTA images go unless system data says otherwise (0x80000).</summary>
    public const uint DefaultOtaAddress = 0x080000;
    /// <summary>The last sector of a 1 MiB chip, kept for user data.</summary>
    public const uint UserDataSector = 0x0FF000;

    /// <summary>Largest OTA image that stays clear of the <c>FlashMemory</c> user-data sector at the default OTA address.</summary>
    public const int MaxOtaImageBeforeUserData = (int)(UserDataSector - DefaultOtaAddress);

    /// <summary>Largest OTA image that fits a 1 MiB chip at the default OTA address.</summary>
    public const int MaxOtaImageBeforeEndOfChip = (int)(OneMiB - DefaultOtaAddress);

    /// <summary>True for the chip sizes the board uses (1 or 2 MiB).</summary>
    public static bool IsValidChipSize(long size) => size is OneMiB or TwoMiB;

    /// <summary>Describes an address for people: which region of the layout it falls in.</summary>
    public static string RegionOf(uint address) => address switch
    {
        < BackupSector => "Image 1 (boot loader)",
        < SystemData => "backup sector",
        < RfCalibration => "system data",
        < DefaultImage2 => "RF calibration",
        < DefaultOtaAddress => "Default Image 2 region",
        < UserDataSector => "OTA region",
        < OneMiB => "FlashMemory user data",
        _ => "upper MiB",
    };
}

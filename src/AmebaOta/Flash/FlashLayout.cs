namespace AmebaOta.Flash;

/// <summary>Addresses and sizes of the Ameba flash layout (spec section 1).</summary>
public static class FlashLayout
{
    public const int SectorSize = 0x1000;
    public const int OneMiB = 0x100000;
    public const int TwoMiB = 0x200000;

    public const uint Image1 = 0x000000;
    public const uint Image1Size = 0x8000;
    public const uint BackupSector = 0x008000;
    public const uint SystemData = 0x009000;
    public const uint RfCalibration = 0x00A000;
    public const uint DefaultImage2 = 0x00B000;
    public const uint DefaultOtaAddress = 0x080000;
    public const uint UserDataSector = 0x0FF000;

    /// <summary>Largest OTA image that stays clear of the <c>FlashMemory</c> user-data sector at the default OTA address.</summary>
    public const int MaxOtaImageBeforeUserData = (int)(UserDataSector - DefaultOtaAddress);

    /// <summary>Largest OTA image that fits a 1 MiB chip at the default OTA address.</summary>
    public const int MaxOtaImageBeforeEndOfChip = (int)(OneMiB - DefaultOtaAddress);

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

using AmebaOta.Flash;

namespace AmebaOta.Families.AmebaD.Flash;

/// <summary>
/// The AmebaD flash layout the Arduino package uses (docs/reference section 11.1; Realtek's <c>rtl8721d_bootcfg.c</c>
/// <c>OTA_Region</c>, <c>rtl8721d_ota.h</c>, the linker script <c>amebad_img2_is_arduino_std.ld</c>, and the flash-layout
/// figure of Realtek's AmebaD OTA guide). The chip is mapped at 0x08000000 (<c>SPI_FLASH_BASE</c>); the SDK speaks of
/// addresses in that window (<c>0x08106000</c>), the flash file and the chip of offsets from its start (<c>0x106000</c>):
/// offset = address − 0x08000000.
/// <code>
/// offset    address     size    content
/// 0x000000  0x08000000  8 KiB   KM0 boot (km0_boot_all.bin)
/// 0x002000  0x08002000  4 KiB   backup of system data
/// 0x003000  0x08003000  4 KiB   system data
/// 0x004000  0x08004000  8 KiB   KM4 boot (km4_boot_all.bin)
/// 0x006000  0x08006000  1000 KiB OTA1: KM0 image 2, then KM4 image 2 (km0_km4_image2.bin); what a USB upload writes
/// 0x100000  0x08100000  24 KiB  user data
/// 0x106000  0x08106000  1000 KiB OTA2
/// </code>
/// </summary>
public static class AmebaDFlashLayout
{
    /// <summary>Where the chip appears in the address space (<c>SPI_FLASH_BASE</c>).</summary>
    public const uint XipBase = 0x08000000;
    /// <summary>The only chip size the layout uses: 2 MiB (boards with 4 MB parts use the first 2 MB).</summary>
    public const int ChipSize = NorFlash.TwoMiB;
    /// <summary>Erase unit: 4 KiB.</summary>
    public const int SectorSize = NorFlash.SectorSize;

    /// <summary>KM0 boot image.</summary>
    public const uint Km0Boot = 0x000000;
    /// <summary>Backup sector used while system data is rewritten.</summary>
    public const uint Backup = 0x002000;
    /// <summary>System data.</summary>
    public const uint SystemData = 0x003000;
    /// <summary>KM4 boot image.</summary>
    public const uint Km4Boot = 0x004000;
    /// <summary>The OTA1 bank (<c>LS_IMG2_OTA1_ADDR</c> 0x08006000).</summary>
    public const uint Ota1 = 0x006000;
    /// <summary>User data, between the banks.</summary>
    public const uint UserData = 0x100000;
    /// <summary>The OTA2 bank (<c>LS_IMG2_OTA2_ADDR</c> 0x08106000).</summary>
    public const uint Ota2 = 0x106000;
    /// <summary>Bytes of one bank: 0xFA000 (1,024,000 = 1000 KiB), OTA1 up to user data, OTA2 up to the end of 2 MiB.</summary>
    public const int BankSize = (int)(UserData - Ota1);

    /// <summary>The chip offset of an address in the flash window (0x08106000 → 0x106000).</summary>
    public static uint ToOffset(uint address) => address - XipBase;

    /// <summary>The address in the flash window of a chip offset (0x106000 → 0x08106000).</summary>
    public static uint ToAddress(uint offset) => offset + XipBase;

    /// <summary>The chip offset where <paramref name="bank"/> starts.</summary>
    public static uint Start(OtaBank bank) => bank == OtaBank.Ota2 ? Ota2 : Ota1;

    /// <summary>The other bank.</summary>
    public static OtaBank Other(OtaBank bank) => bank == OtaBank.Ota2 ? OtaBank.Ota1 : OtaBank.Ota2;

    /// <summary>Describes a chip offset for people: which region of the layout it falls in.</summary>
    public static string RegionOf(uint offset) => offset switch
    {
        < Backup => "KM0 boot",
        < SystemData => "system-data backup",
        < Km4Boot => "system data",
        < Ota1 => "KM4 boot",
        < UserData => "OTA1",
        < Ota2 => "user data",
        < ChipSize => "OTA2",
        _ => "past the end of a 2 MiB chip",
    };
}

/// <summary>
/// An OTA bank, with the values of the SDK's raw enum (<c>OTA_INDEX_1</c> = 0, <c>OTA_INDEX_2</c> = 1), which the stock
/// receiver prints as they are (<c>[syncOTAAddr] OTA_INDEX_1 will be upgraded</c> means OTA2).
/// </summary>
public enum OtaBank
{
    /// <summary>OTA1 at 0x08006000: the bank a USB upload writes.</summary>
    Ota1 = 0,
    /// <summary>OTA2 at 0x08106000.</summary>
    Ota2 = 1,
}

/// <summary>Names of <see cref="OtaBank"/> values.</summary>
public static class OtaBanks
{
    /// <summary><c>OTA1</c> or <c>OTA2</c>.</summary>
    public static string Name(OtaBank bank) => bank == OtaBank.Ota2 ? "OTA2" : "OTA1";

    /// <summary><c>OTA2 (0x08106000)</c>.</summary>
    public static string Describe(OtaBank bank) => $"{Name(bank)} (0x{AmebaDFlashLayout.ToAddress(AmebaDFlashLayout.Start(bank)):X8})";
}

namespace AmebaOta.Families.AmebaPro2.Images;

/// <summary>The TYPE_ID values of the images an AmebaPro2 flash holds (<c>FW_IMG_TYPE_ID_T</c>, <c>fw_img_tlv.h</c>).</summary>
public static class Pro2ImageTypes
{
    /// <summary>IMG_PT: the partition table.</summary>
    public const ushort PartitionTable = 0xEAA2;
    /// <summary>IMG_BL: the boot loader.</summary>
    public const ushort BootLoader = 0xE2A3;
    /// <summary>IMG_FWHS_S: the application firmware (every Arduino build).</summary>
    public const ushort Firmware = 0xDAA4;

    /// <summary><c>IMG_FWHS_S</c>, … for people.</summary>
    public static string Name(ushort typeId) => typeId switch
    {
        PartitionTable => "IMG_PT",
        BootLoader => "IMG_BL",
        Firmware => "IMG_FWHS_S",
        0xCAA6 => "IMG_ISP",
        0xC2A7 => "IMG_VOE",
        _ => $"0x{typeId:X4}",
    };
}

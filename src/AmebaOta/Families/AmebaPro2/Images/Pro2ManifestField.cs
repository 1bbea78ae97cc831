namespace AmebaOta.Families.AmebaPro2.Images;

/// <summary>
/// One TLV field of an AmebaPro2 manifest (<c>fw_img_tlv.h</c>): a 1-byte id, a 3-byte little-endian length, the value,
/// and 0xFE bytes up to the next multiple of 4. <paramref name="Offset"/> is where the field's id byte sits in the file.
/// </summary>
public sealed record Pro2ManifestField(byte Id, int Offset, byte[] Value)
{
    /// <summary>PK: public key (384 bytes).</summary>
    public const byte PublicKeyId = 0x01;
    /// <summary>VERSION: 32 bytes, the boot priority (higher wins).</summary>
    public const byte VersionId = 0x02;
    /// <summary>IMGSZ: u32 image size.</summary>
    public const byte ImageSizeId = 0x03;
    /// <summary>TYPE_ID: u16 image type (<c>IMG_FWHS_S</c> = 0xDAA4 for the application).</summary>
    public const byte TypeIdId = 0x04;
    /// <summary>TIMST: 8 bytes, u64 little-endian Unix seconds: the build time by default.</summary>
    public const byte TimestampId = 0x0D;

    /// <summary>The ids' names, as Realtek's JSON files spell them.</summary>
    public static string NameOf(byte id) => id switch
    {
        0x01 => "PK", 0x02 => "VERSION", 0x03 => "IMGSZ", 0x04 => "TYPE_ID", 0x05 => "ENCALG", 0x06 => "ENCKN",
        0x07 => "ENCKS", 0x08 => "ENCIV", 0x09 => "HSHALG", 0x0A => "HSHKN", 0x0B => "HSHKS", 0x0C => "HASH",
        0x0D => "TIMST", 0x0E => "VID", 0x0F => "PID", 0x10 => "IMGLST", 0x11 => "DEP", 0x12 => "RMATKN",
        0x13 => "BATLV", 0x14 => "ACPW", 0x15 => "IE_RESV",
        _ => $"0x{id:X2}",
    };

    /// <summary>The field's name (<c>VERSION</c>, <c>TIMST</c>, …).</summary>
    public string Name => NameOf(Id);

    /// <summary>Bytes the field takes: 4 for the id and length, the value, padding to 4.</summary>
    public int EncodedSize => EncodedSizeOf(Value.Length);

    /// <summary>Bytes a field with a value of <paramref name="valueLength"/> bytes takes.</summary>
    public static int EncodedSizeOf(int valueLength) => 4 + (valueLength + 3) / 4 * 4;
}

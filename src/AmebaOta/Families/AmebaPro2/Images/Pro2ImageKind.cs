namespace AmebaOta.Families.AmebaPro2.Images;

/// <summary>Which of the Arduino build's AmebaPro2 outputs a file is.</summary>
public enum Pro2ImageKind
{
    /// <summary><c>ota.bin</c>: <c>firmware.bin</c> followed by its byte-sum (u32 LE): what the board downloads.</summary>
    OtaBin,
    /// <summary><c>firmware.bin</c>: the application image without the checksum trailer (a multiple of 4 KiB).</summary>
    FirmwareBin,
}

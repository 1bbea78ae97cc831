using AmebaOta.Families.AmebaPro2.Images;
using AmebaOta.Flash;
using AmebaOta.Images;

namespace AmebaOta.Families.AmebaPro2.Flash;

/// <summary>What <see cref="Pro2UsbUpload.Write"/> did.</summary>
public sealed record Pro2UsbUploadResult(Pro2Slot Slot, int BytesWritten, int SectorsErased, bool TableRewritten);

/// <summary>
/// What the Arduino IDE's USB upload does to an AmebaPro2 flash, as far as OTA cares: it writes the build's partition
/// table (for the board menu's OTA Mode) and its <c>firmware.bin</c> into FW1. FW2 is left as it is, so a firmware an OTA
/// put there keeps booting over an older USB upload (the boot code runs the newer slot).
/// </summary>
public static class Pro2UsbUpload
{
    /// <summary>Writes <paramref name="image"/>'s firmware (without the ota.bin trailer) into FW1; rewrites the table when <paramref name="otaMode"/> is given.</summary>
    public static Pro2UsbUploadResult Write(NorFlash flash, Pro2Image image, bool? otaMode = null)
    {
        if (otaMode is { } mode) Pro2PartitionTable.Default(mode).Write(flash);
        var table = Pro2PartitionTable.Read(flash)
            ?? throw new ImageFormatException("the flash file has no AmebaPro2 partition table at 0x1000 (create it with: flash create --family amebapro2)");
        var slot = table.Fw1;
        var firmware = image.Firmware;
        if (firmware.Length > slot.Length)
            throw new ImageFormatException($"the firmware is {firmware.Length} bytes; FW1 holds 0x{slot.Length:x}");
        int sectors = (firmware.Length + NorFlash.SectorSize - 1) / NorFlash.SectorSize;
        for (int i = 0; i < sectors; i++) flash.EraseSector(slot.Start + (uint)(i * NorFlash.SectorSize));
        flash.Program(slot.Start, firmware);
        return new Pro2UsbUploadResult(slot, firmware.Length, sectors, otaMode is not null);
    }
}

using AmebaOta.Flash;

namespace AmebaOta.Families.Ameba1.Flash;

/// <summary>
/// The system-data sector at 0x9000 (docs/reference section 3): OTA address at +0, recovery pins at +8.
/// Words are written the way the stock SDK writes them: program, read back, and on mismatch rewrite the
/// whole sector, a word at a time, through the backup sector at 0x8000.
/// </summary>
public sealed class SystemData(NorFlash flash)
{
    /// <summary>Offset of the OTA address word in the system data sector.</summary>
    public const uint OtaAddressOffset = 0;
    /// <summary>Offset of the recovery pins word.</summary>
    public const uint RecoveryPinsOffset = 8;
    /// <summary>An erased (unset) word.</summary>
    public const uint None = 0xFFFFFFFF;

    /// <summary>The OTA address word (0xFFFFFFFF when unset).</summary>
    public uint OtaAddress => flash.ReadU32(FlashLayout.SystemData + OtaAddressOffset);

    /// <summary>The recovery pins word (0xFFFFFFFF when unset).</summary>
    public uint RecoveryPinsWord => flash.ReadU32(FlashLayout.SystemData + RecoveryPinsOffset);

    /// <summary>The two recovery-pin bytes in the order the boot loader checks them: byte 0, then byte 1.</summary>
    public (byte Byte0, byte Byte1) RecoveryPinBytes
    {
        get
        {
            uint w = RecoveryPinsWord;
            return ((byte)w, (byte)(w >> 8));
        }
    }

    /// <summary>Writes the OTA address as <c>setOtaAddress</c> does. Returns true when the backup-sector rewrite was needed.</summary>
    public bool SetOtaAddress(uint address) => WriteWord(OtaAddressOffset, address);

    /// <summary>
    /// Writes the recovery-pin word as <c>setRecoverPin</c> does: <c>boot_pins = (boot_pin1 &lt;&lt; 8) | boot_pin2</c>,
    /// i.e. pin 1 in byte 1, pin 2 (or 0xFF) in byte 0, and the upper two bytes 0.
    /// </summary>
    public bool SetRecoveryPins(byte pin1, byte pin2 = 0xFF) =>
        WriteWord(RecoveryPinsOffset, (uint)pin1 << 8 | pin2);

    /// <summary>Erases the sector, as a USB/DAP upload does.</summary>
    public void Erase() => flash.EraseSector(FlashLayout.SystemData);

    /// <summary>Program, read back, and on mismatch rewrite the sector through the backup sector. Returns true when it rewrote.</summary>
    public bool WriteWord(uint offset, uint value)
    {
        uint address = FlashLayout.SystemData + offset;
        flash.ProgramU32(address, value);
        if (flash.ReadU32(address) == value) return false;

        // As the stock set_system_data: word by word into the backup, erase, word by word back with the one word replaced.
        flash.EraseSector(FlashLayout.BackupSector);
        for (uint i = 0; i < FlashLayout.SectorSize; i += 4)
            flash.ProgramU32(FlashLayout.BackupSector + i, flash.ReadU32(FlashLayout.SystemData + i));
        flash.EraseSector(FlashLayout.SystemData);
        for (uint i = 0; i < FlashLayout.SectorSize; i += 4)
            flash.ProgramU32(FlashLayout.SystemData + i, i == offset ? value : flash.ReadU32(FlashLayout.BackupSector + i));
        flash.EraseSector(FlashLayout.BackupSector);
        return true;
    }
}

using AmebaOta.Families.Ameba1.Flash;

namespace AmebaOta.Cli.Commands;

/// <summary>What <c>flash set-ota-address</c> checks before writing: the address must be on the chip; other doubts are warnings.</summary>
public static class OtaAddressCheck
{
    /// <summary>Refuses (exit 1) an address beyond the end of the chip unless forced; returns the warnings to print.</summary>
    public static List<string> Check(uint address, int chipSize, bool force)
    {
        var warnings = new List<string>();
        if (address == SystemData.None) return warnings;
        if (address >= (uint)chipSize)
        {
            string why = $"0x{address:x} is beyond the end of this {chipSize / 1024} KiB chip (0x{chipSize:x}): an OTA there would write " +
                         "past the end of the flash and wrap around to sector 0 (Image 1), bricking the board";
            if (!force) throw new CliError(ExitCodes.Usage, $"{why}; --force writes it anyway");
            warnings.Add($"--force: writing it anyway although {why}");
        }
        else if (address < FlashLayout.DefaultImage2)
        {
            warnings.Add($"0x{address:x} is below Default Image 2 (0x{FlashLayout.DefaultImage2:x}), in the boot loader and system data area: the OTA receiver refuses it (\"Invalid OTA address\")");
        }
        if ((address & 0xFFF) != 0)
            warnings.Add("the address is not 4 KiB aligned; the boot loader will print \"OTA addr ... INVALID\" and ignore it");
        return warnings;
    }
}

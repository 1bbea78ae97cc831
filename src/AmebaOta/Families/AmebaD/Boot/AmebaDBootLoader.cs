using System.Buffers.Binary;
using AmebaOta.Families.AmebaD.Flash;
using AmebaOta.Families.AmebaD.Images;
using AmebaOta.Flash;

namespace AmebaOta.Families.AmebaD.Boot;

/// <summary>
/// The AmebaD boot decision and boot log (docs/reference section 11.5): the KM0 boot image picks the bank by signature
/// alone, <b>OTA2 whenever it starts with <c>81958711</c></b>, else OTA1, else none (Realtek's OTA guide, "OTA boot select";
/// the SDK's <c>OTA_Change</c>). No version or date is compared. Then the KM0 and the KM4 boot each check their RAM
/// sub-image's <c>RTKWin</c> pattern. The lines are the strings of Realtek's prebuilt <c>km0_boot_all.bin</c> and
/// <c>km4_boot_all.bin</c>. The forced-OTA1 GPIO is off (<c>Force_OTA1_GPIO = 0xFF</c>), so no pin is read.
/// </summary>
public static class AmebaDBootLoader
{
    /// <summary>Prefix of the boot images' info lines.</summary>
    public const string Info = "[MODULE_BOOT-LEVEL_INFO]:";
    /// <summary>Prefix of the boot images' error lines.</summary>
    public const string Error = "[MODULE_BOOT-LEVEL_ERROR]:";
    /// <summary><c>OTA1 USE</c>.</summary>
    public const string Ota1Use = Info + "OTA1 USE";
    /// <summary><c>OTA2 USE</c>.</summary>
    public const string Ota2Use = Info + "OTA2 USE";
    /// <summary>Neither bank is signed.</summary>
    public const string Image2Invalid = Error + "IMG2 Invalid";
    /// <summary>A RAM sub-image lacks <c>RTKWin</c>.</summary>
    public const string SignInvalid = Error + "IMG2 SIGN Invalid";
    /// <summary>The KM4 boot finds no KM4 sub-image where it expects one.</summary>
    public const string SizeInvalid = Error + "IMG2 SIZE Invalid";

    /// <summary>Runs the boot code on <paramref name="flash"/>: the bank chosen and the serial log.</summary>
    public static AmebaDBootResult Boot(NorFlash flash)
    {
        var log = new List<string>();
        var ota1 = AmebaDBank.Read(flash, OtaBank.Ota1);
        var ota2 = AmebaDBank.Read(flash, OtaBank.Ota2);
        bool bootImages = AmebaDBlankChip.HasBootImage(flash.Contents, AmebaDFlashLayout.Km0Boot);
        AmebaDBootResult Result(AmebaDBootOutcome outcome, AmebaDBank? chosen) => new(outcome, log, ota1, ota2, chosen);

        if (!bootImages) return Result(AmebaDBootOutcome.NoBootImage, null);
        var chosen = ota2.IsValid ? ota2 : ota1.IsValid ? ota1 : null;
        if (chosen is null)
        {
            log.Add(Image2Invalid);
            return Result(AmebaDBootOutcome.NoFirmware, null);
        }
        log.Add(chosen.Bank == OtaBank.Ota2 ? Ota2Use : Ota1Use);

        // KM0 boot: KM0 image 2, then the KM4 boot: KM4 image 2.
        var image = chosen.Image;
        if (!Start(flash, chosen, image.Km0, log)) return Result(AmebaDBootOutcome.InvalidSignature, chosen);
        if (image.Km4.Count == 0)
        {
            log.Add(SizeInvalid);
            return Result(AmebaDBootOutcome.NoKm4Image, chosen);
        }
        if (!Start(flash, chosen, image.Km4, log)) return Result(AmebaDBootOutcome.InvalidSignature, chosen);
        return Result(AmebaDBootOutcome.Started, chosen);
    }

    /// <summary>One core's image 2: its RAM sub-image copied (<c>IMG2 DATA</c>), its pattern checked (<c>IMG2 SIGN</c>), its entry taken (<c>IMG2 ENTRY</c>).</summary>
    private static bool Start(NorFlash flash, AmebaDBank bank, IReadOnlyList<SubImage> part, List<string> log)
    {
        var ram = part.FirstOrDefault(s => s.Kind == SubImageKind.Ram);
        if (ram is null)
        {
            log.Add(SignInvalid);
            return false;
        }
        uint body = AmebaDFlashLayout.ToAddress(bank.Start + (uint)ram.BodyOffset);
        log.Add($"{Info}IMG2 DATA[0x{body:x}:{ram.Header.Size}:0x{ram.Header.LoadAddress:x}]");
        var prefix = flash.Contents.Slice((int)(bank.Start + (uint)ram.BodyOffset), (int)Math.Min(ram.Header.Size, 32u));
        if (prefix.Length < Km0Km4Image.EntryLength + Km0Km4Image.RtkWin.Length
            || !prefix.Slice(Km0Km4Image.EntryLength, Km0Km4Image.RtkWin.Length).SequenceEqual(Km0Km4Image.RtkWin))
        {
            log.Add(SignInvalid);
            return false;
        }
        log.Add($"{Info}IMG2 SIGN[RTKWin({ram.Header.LoadAddress + Km0Km4Image.EntryLength:x})]");
        log.Add($"{Info}IMG2 ENTRY[0x{BinaryPrimitives.ReadUInt32LittleEndian(prefix):x}:0x{BinaryPrimitives.ReadUInt32LittleEndian(prefix[4..]):x}]");
        return true;
    }
}

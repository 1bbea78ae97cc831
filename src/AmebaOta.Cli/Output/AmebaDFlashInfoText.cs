using AmebaOta.Families.AmebaD.Boot;
using AmebaOta.Families.AmebaD.Flash;
using AmebaOta.Flash;

namespace AmebaOta.Cli.Output;

/// <summary><c>flash info</c> and <c>flash boot</c> of an AmebaD flash file: the layout, both banks, the boot decision and the USB-after-OTA trap.</summary>
public static class AmebaDFlashInfoText
{
    public const string Layout =
        "0x000000 KM0 boot | 0x002000 backup | 0x003000 system data | 0x004000 KM4 boot | 0x006000 OTA1 | 0x100000 user data | 0x106000 OTA2 (addresses 0x08000000 + offset)";

    public static IEnumerable<string> Lines(string name, NorFlash flash)
    {
        var boot = AmebaDBootLoader.Boot(flash);
        yield return $"flash:            {name} ({flash.Size / 1024} KiB), AmebaD";
        yield return $"boot images:      KM0 boot at 0x000000 {Present(flash, AmebaDFlashLayout.Km0Boot)}, KM4 boot at 0x004000 {Present(flash, AmebaDFlashLayout.Km4Boot)}";
        yield return $"layout:           {Layout}";
        foreach (var bank in new[] { boot.Ota1, boot.Ota2 })
            yield return $"{OtaBanks.Describe(bank.Bank) + ":",-19}{Bank(bank)}";
        yield return $"boots:            {Boots(boot)}";
        yield return $"  why:            {boot.Reason}";
        if (boot.Ota1Shadowed) yield return $"warning:          {AmebaDBootResult.TrapFix}";
    }

    private static string Present(NorFlash flash, uint offset) => AmebaDBlankChip.HasBootImage(flash.Contents, offset) ? "present" : "MISSING";

    private static string Bank(AmebaDBank bank)
    {
        if (bank.IsErased) return "erased (signature ffffffffffffffff)";
        string signature = bank.IsValid ? "signature 81958711 (valid)" : $"signature {bank.SignatureText} (INVALID: cleared or never completed)";
        var image = bank.Image;
        string layout = image.Km0.Count == 0 ? "no sub-images"
            : $"KM0 {image.Km0.Count} sub-images, KM4 {(image.Km4.Count == 0 ? "NONE" : $"at +0x{image.Km4Offset:x}, {image.Km4.Count} sub-images")}, {image.UsedLength} bytes";
        string sketch = image.Sketch is { } s ? $", sketch version {s.Version} ({s.DeviceName})" : image.SketchError is { } e ? $", {e}" : ", no sketch descriptor";
        return $"{signature}; {layout}{sketch}";
    }

    private static string Boots(AmebaDBootResult b) => b.Outcome switch
    {
        AmebaDBootOutcome.NoBootImage => "nothing: no KM0 boot image",
        AmebaDBootOutcome.NoFirmware => "nothing: IMG2 Invalid",
        AmebaDBootOutcome.Started => OtaBanks.Describe(b.Bank!.Value) + (b.Sketch is { } s ? $", version {s.Version}" : ""),
        _ => $"{OtaBanks.Describe(b.Bank!.Value)}, which fails: {(b.Outcome == AmebaDBootOutcome.NoKm4Image ? "IMG2 SIZE Invalid" : "IMG2 SIGN Invalid")}",
    };

    public static AmebaDBootJson Boot(AmebaDBootResult b) => new(
        b.Outcome switch
        {
            AmebaDBootOutcome.Started => "started",
            AmebaDBootOutcome.NoBootImage => "no-boot-image",
            AmebaDBootOutcome.NoFirmware => "no-firmware",
            AmebaDBootOutcome.NoKm4Image => "no-km4-image",
            _ => "invalid-image2-signature",
        },
        b.Bank is { } bank ? OtaBanks.Name(bank) : null, b.ChosenAddress is { } a ? Describe.Hex(a) : null, b.Reason, b.Log,
        Describe.Sketch(b.Sketch), b.Ota1Shadowed ? [AmebaDBootResult.TrapFix] : []);

    public static AmebaDFlashInfoJson Json(string name, NorFlash flash)
    {
        var boot = AmebaDBootLoader.Boot(flash);
        AmebaDBankJson Bank(AmebaDBank bank) => new(OtaBanks.Name(bank.Bank), $"0x{AmebaDFlashLayout.ToAddress(bank.Start):x8}", Describe.Hex(bank.Start),
            bank.SignatureText, bank.IsValid, bank.IsErased, bank.IsErased ? null : bank.Image.UsedLength,
            bank.IsErased ? null : Describe.Sketch(bank.Image.Sketch), bank.IsErased ? [] : bank.Image.Problems);
        return new AmebaDFlashInfoJson(name, flash.Size, "amebad", AmebaDBlankChip.HasBootImage(flash.Contents, AmebaDFlashLayout.Km0Boot),
            AmebaDBlankChip.HasBootImage(flash.Contents, AmebaDFlashLayout.Km4Boot), [Bank(boot.Ota1), Bank(boot.Ota2)], Boot(boot));
    }
}

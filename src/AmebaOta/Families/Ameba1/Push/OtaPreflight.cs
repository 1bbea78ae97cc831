using AmebaOta.Families.Ameba1.Flash;
using AmebaOta.Families.Ameba1.Images;

namespace AmebaOta.Families.Ameba1.Push;

/// <summary>What the host checks before sending a file: refusals (a stock board would be harmed or the update would fail) and warnings. Each is one sentence.</summary>
public sealed record OtaPreflightResult(IReadOnlyList<string> Refusals, IReadOnlyList<string> Warnings)
{
    /// <summary>True when the image should not be sent.</summary>
    public bool Refused => Refusals.Count > 0;
}

/// <summary>
/// Protects users from the stock receiver's quirks (docs/reference sections 1 and 6): it erases by the declared length with no
/// end-of-flash check, signs whatever it got, and cannot tell an Image 2 from anything else.
/// </summary>
public static class OtaPreflight
{
    /// <summary>Checks <paramref name="image"/> before sending: what would harm a stock board (refusals) or is odd (warnings).</summary>
    public static OtaPreflightResult Check(ImageFile image)
    {
        var refusals = new List<string>();
        var warnings = new List<string>();
        if (image.Kind == ImageFileKind.RamAll)
            refusals.Add("it is a ram_all.bin (Image 1 + Image 2) for USB/DAP upload; send the ota.bin of the same build instead");
        if (!image.Body.HasRtkWin)
            refusals.Add("its Image 2 body lacks \"RTKWin\": the board would store it, then its boot loader would print \"Invalid Image2 Signature\" and stop");
        if (image.Image2.Signature == SignatureState.Old && image.Kind != ImageFileKind.RamAll)
            refusals.Add("its header is signed \"old\": the board would erase its OTA region and then fail with \"Put signature fail\"");
        if (image.Length > FlashLayout.MaxOtaImageBeforeEndOfChip)
            refusals.Add($"it is {image.Length} bytes, over 0x80000 (524288): a stock board would erase past the end of a 1 MiB chip, wrap to sector 0 and brick");
        else if (image.Length > FlashLayout.MaxOtaImageBeforeUserData)
            warnings.Add($"{image.Length} bytes is over 0x7F000 (520192): at the default OTA address it overwrites the FlashMemory user-data sector at 0xFF000");
        return new OtaPreflightResult(refusals, warnings);
    }
}

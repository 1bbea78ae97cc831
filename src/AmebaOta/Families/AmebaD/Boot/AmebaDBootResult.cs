using AmebaOta.Families.AmebaD.Flash;
using AmebaOta.Images;

namespace AmebaOta.Families.AmebaD.Boot;

/// <summary>How an AmebaD boot ended.</summary>
public enum AmebaDBootOutcome
{
    /// <summary>Both cores' image 2 started.</summary>
    Started,
    /// <summary>No KM0 boot image at 0x0 (an erased chip): the ROM has nothing to start.</summary>
    NoBootImage,
    /// <summary>Neither bank starts with <c>81958711</c>: <c>IMG2 Invalid</c>.</summary>
    NoFirmware,
    /// <summary>A RAM sub-image lacks <c>RTKWin</c>: <c>IMG2 SIGN Invalid</c>.</summary>
    InvalidSignature,
    /// <summary>The bank holds a KM0 image but no KM4 image after it: <c>IMG2 SIZE Invalid</c>.</summary>
    NoKm4Image,
}

/// <summary>What the AmebaD boot code decided and printed, with both banks as it found them.</summary>
public sealed record AmebaDBootResult(
    AmebaDBootOutcome Outcome,
    IReadOnlyList<string> Log,
    AmebaDBank Ota1,
    AmebaDBank Ota2,
    AmebaDBank? Chosen) : IBootOutcome
{
    /// <inheritdoc />
    public bool Started => Outcome == AmebaDBootOutcome.Started;

    /// <summary>The bank booted (or chosen before a failure); null when none was.</summary>
    public OtaBank? Bank => Chosen?.Bank;

    /// <summary>Chip offset of the chosen bank (0x6000 or 0x106000).</summary>
    public uint? ChosenAddress => Chosen?.Start;

    /// <inheritdoc />
    public string OutcomeName => Outcome.ToString();

    /// <inheritdoc />
    public SketchDescriptor? Sketch => Started ? Chosen?.Image.Sketch : null;

    /// <inheritdoc />
    public string? SketchError => Started ? Chosen?.Image.SketchError : null;

    /// <summary>
    /// The USB-after-OTA trap: OTA2 is booted while OTA1 also holds a valid image, which is never run while OTA2 stays
    /// valid. After an OTA into OTA2, a USB upload writes OTA1 and the board keeps running the OTA2 firmware.
    /// </summary>
    public bool Ota1Shadowed => Chosen?.Bank == OtaBank.Ota2 && Ota1.IsValid;

    /// <summary>The fix for <see cref="Ota1Shadowed"/>, one sentence.</summary>
    public const string TrapFix =
        "OTA1 (where a USB upload writes) holds a valid image too, and this boot loader runs OTA2 whenever OTA2 is valid: " +
        "to run OTA1, erase the flash (Arduino IDE: Tools > Erase Flash > \"Erase only\", upload, then upload again with it disabled) " +
        "or update over the air again (that writes OTA1 and clears OTA2's signature)";

    /// <inheritdoc />
    public string Reason => Outcome switch
    {
        AmebaDBootOutcome.NoBootImage => "there is no KM0 boot image at 0x0 (an erased chip): nothing starts; a USB upload writes the boot images",
        AmebaDBootOutcome.NoFirmware => $"neither bank starts with 81958711 (OTA1: {Ota1.SignatureText}, OTA2: {Ota2.SignatureText})",
        _ => (Chosen!.Bank == OtaBank.Ota2
                ? Ota1.IsValid ? "both banks start with 81958711, and the boot loader prefers OTA2 whenever it is valid (no version is compared)"
                    : "only OTA2 starts with 81958711"
                : $"only OTA1 starts with 81958711 (OTA2: {Ota2.SignatureText})")
            + Outcome switch
            {
                AmebaDBootOutcome.InvalidSignature => ", but a RAM sub-image in it lacks RTKWin: the boot stops there",
                AmebaDBootOutcome.NoKm4Image => ", but it holds no KM4 image after the KM0 image: the KM4 boot stops",
                _ => "",
            },
    };
}

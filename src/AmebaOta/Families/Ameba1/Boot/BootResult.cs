using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Pins;

namespace AmebaOta.Families.Ameba1.Boot;

/// <summary>What Image 1 decided and printed, with the facts it based the decision on.</summary>
public sealed record BootResult(
    BootOutcome Outcome,
    IReadOnlyList<string> Log,
    uint DefaultImage2Address,
    SignatureState DefaultSignature,
    uint OtaAddressWord,
    bool OtaAddressUsable,
    SignatureState? OtaSignature,
    uint? NewAddress,
    uint? OldAddress,
    bool RecoveryForced,
    RecoveryPin? DecidingPin,
    FlashImage? Booted) : IBootOutcome
{
    /// <summary>True when an Image 2 was started.</summary>
    public bool Started => Outcome == BootOutcome.Started;

    /// <inheritdoc />
    public uint? ChosenAddress => Booted?.Address;

    /// <inheritdoc />
    public string OutcomeName => Outcome.ToString();

    /// <inheritdoc />
    public AmebaOta.Images.SketchDescriptor? Sketch => Booted?.Body.Sketch;

    /// <inheritdoc />
    public string? SketchError => Booted?.Body.SketchError;
    /// <summary>True when the image started is the one at the OTA address.</summary>
    public bool BootedOtaImage => Booted is { } b && OtaAddressUsable && b.Address == OtaAddressWord;

    /// <summary>One sentence on why this image (or none) was chosen.</summary>
    public string Reason
    {
        get
        {
            string forced = RecoveryForced
                ? $"recovery pin {DecidingPin?.Chip.Name} is at its active level, so the OLD image is preferred"
                  + (OldAddress is null && NewAddress is not null ? ", but there is none" : "")
                : "no recovery pin is active, so the NEW image is preferred"
                  + (NewAddress is null && OldAddress is not null ? ", but there is none" : "");
            return Outcome switch
            {
                BootOutcome.NoFirmware => "neither Default Image 2 nor the OTA image carries a new or old signature",
                _ when Booted is null => forced,
                _ => $"{forced}; chose 0x{Booted.Address:x} ({(Booted.Signature == SignatureState.New ? "NEW" : "OLD")})"
                     + (Outcome == BootOutcome.InvalidImage2Signature ? ", but its body lacks RTKWin" : ""),
            };
        }
    }
}

using AmebaOta.Images;

namespace AmebaOta.Boot;

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
    FlashImage? Booted)
{
    public bool Started => Outcome == BootOutcome.Started;
    public bool BootedOtaImage => Booted is { } b && OtaAddressUsable && b.Address == OtaAddressWord;

    /// <summary>One sentence on why this image (or none) was chosen.</summary>
    public string Reason
    {
        get
        {
            if (Outcome == BootOutcome.NoFirmware)
                return "neither Default Image 2 nor the OTA image carries a new or old signature";
            string pin = RecoveryForced
                ? $"recovery pin {DecidingPin?.Chip.Name} is at its active level, so the OLD image is preferred"
                : DecidingPin is { } p ? $"recovery pin {p.Chip.Name} is inactive, so the NEW image is preferred" : "no recovery pin is configured, so the NEW image is preferred";
            bool gotPreferred = RecoveryForced ? Booted!.Signature == SignatureState.Old : Booted!.Signature == SignatureState.New;
            string chose = gotPreferred
                ? $"0x{Booted.Address:x} is the {(RecoveryForced ? "OLD" : "NEW")} image"
                : $"there is none, so it boots the {(RecoveryForced ? "NEW" : "OLD")} image at 0x{Booted.Address:x}";
            return $"{pin}; {chose}" + (Outcome == BootOutcome.InvalidImage2Signature ? ", but its body lacks RTKWin" : "");
        }
    }
}

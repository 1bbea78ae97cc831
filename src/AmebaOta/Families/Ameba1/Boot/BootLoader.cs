using AmebaOta.Families.Ameba1.Flash;
using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Flash;
using AmebaOta.Pins;

namespace AmebaOta.Families.Ameba1.Boot;

/// <summary>
/// Image 1's boot decision and boot log, step by step as docs/reference section 4 describes, quirks included:
/// the last configured recovery pin decides, an unusable OTA address is reported and ignored, and address
/// arithmetic wraps at 32 bits as the C code does.
/// </summary>
public static class BootLoader
{
    /// <summary>Serial line printed on entering Image 1.</summary>
    public const string EnterImage1 = "===== Enter Image 1 ====";
    /// <summary>Serial line printed on entering Image 2.</summary>
    public const string EnterImage2 = "===== Enter Image 2 ====";
    /// <summary>Serial line printed when no bootable Image 2 is found.</summary>
    public const string FatalNoFirmware = "Fatal:no fw";
    /// <summary>Serial line printed when the chosen Image 2 is not signed.</summary>
    public const string InvalidImage2Signature = "Invalid Image2 Signature";

    /// <summary>Runs the boot decision on <paramref name="flash"/> with the pins at <paramref name="pins"/>; returns the image chosen and the serial log.</summary>
    public static BootResult Boot(NorFlash flash, PinLevels pins)
    {
        var log = new List<string> { EnterImage1 };

        // Step 1: Default Image 2.
        uint defaultAddress = Image1Header.DefaultImage2Address(flash.Read(0, Image1Header.Size));
        var defaultImage = FlashImage.Read(flash, defaultAddress);
        uint? newAddress = null, oldAddress = null;
        Classify(defaultImage, ref newAddress, ref oldAddress);

        // Step 2: OTA address.
        var system = new SystemData(flash);
        uint ota = system.OtaAddress;
        bool otaUsable = false;
        SignatureState? otaSignature = null;
        if (ota != SystemData.None)
        {
            if (ota < unchecked(defaultAddress + defaultImage.Header.Length) || (ota & 0xFFF) != 0)
            {
                log.Add($"OTA addr 0x{ota:x} INVALID");
            }
            else
            {
                otaUsable = true;
                var otaImage = FlashImage.Read(flash, ota);
                otaSignature = otaImage.Signature;
                Classify(otaImage, ref newAddress, ref oldAddress);
            }
        }

        // Step 3: recovery pins, byte 0 then byte 1; the last configured one decides.
        bool forced = false;
        RecoveryPin? deciding = null;
        var (byte0, byte1) = system.RecoveryPinBytes;
        foreach (var pin in new[] { new RecoveryPin(byte0), new RecoveryPin(byte1) })
        {
            if (!pin.IsUsed) continue;
            forced = pins[pin.Chip] == pin.ActiveLevel;
            deciding = pin;
        }

        BootResult Result(BootOutcome outcome, FlashImage? booted) => new(
            outcome, log, defaultAddress, defaultImage.Signature, ota, otaUsable, otaSignature,
            newAddress, oldAddress, forced, deciding, booted);

        // Step 4: choose.
        uint? chosen = forced ? oldAddress ?? newAddress : newAddress ?? oldAddress;
        if (chosen is not { } address)
        {
            log.Add(FatalNoFirmware);
            return Result(BootOutcome.NoFirmware, null);
        }

        // Steps 5-7.
        bool isNew = address == newAddress;
        int fromOta = otaUsable && address == ota ? 1 : 0;
        log.Add($"load {(isNew ? "NEW" : "OLD")} fw {fromOta}");
        var image = FlashImage.Read(flash, address);
        log.Add($"Flash Image2:Addr 0x{address:x}, Len {image.Header.Length}, Load to SRAM 0x{image.Header.LoadAddress:x}");
        log.Add(image.Image3 is { } image3 ? $"Image3 length: 0x{image3.Length:x}, Image3 Addr: 0x30000000" : "No Image3");
        if (!image.Body.HasRtkWin)
        {
            log.Add(InvalidImage2Signature);
            return Result(BootOutcome.InvalidImage2Signature, image);
        }
        log.Add($"Img2 Sign: RTKWin, InfaStart @ 0x{image.Body.EntryPoint:x8}");
        log.Add(EnterImage2);
        return Result(BootOutcome.Started, image);
    }

    private static void Classify(FlashImage image, ref uint? newAddress, ref uint? oldAddress)
    {
        if (image.Signature == SignatureState.New) newAddress = image.Address;
        else if (image.Signature == SignatureState.Old) oldAddress = image.Address;
    }
}

using AmebaOta.Families.Ameba1.Flash;
using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Flash;
using AmebaOta.Pins;

namespace AmebaOta.Families.Ameba1.Boot;

/// <summary>An Image 2 header found while scanning flash, and what it is used as.</summary>
public sealed record FoundImage(FlashImage Image, string Role);

/// <summary>Everything <c>flash info</c> shows: layout, decoded system data, images found, and the boot decision with the recovery pin inactive and active.</summary>
public sealed record FlashReport(
    int ChipSize,
    bool HasImage1Header,
    uint DefaultImage2Address,
    uint OtaAddressWord,
    RecoveryPin Pin0,
    RecoveryPin Pin1,
    IReadOnlyList<FoundImage> Images,
    BootResult BootPinInactive,
    BootResult? BootPinActive)
{
    /// <summary>Inspects a chip. Images are looked for at the Default Image 2 address, the OTA address and every 4 KiB boundary.</summary>
    public static FlashReport Inspect(NorFlash flash)
    {
        var first = flash.Read(0, Image1Header.Size);
        uint defaultAddress = Image1Header.DefaultImage2Address(first);
        var system = new SystemData(flash);
        uint ota = system.OtaAddress;
        var (b0, b1) = system.RecoveryPinBytes;
        RecoveryPin pin0 = new(b0), pin1 = new(b1);

        var inactive = BootLoader.Boot(flash, PinLevels.AllLow.WithInactive(pin0, pin1));
        BootResult? active = null;
        if (pin0.IsUsed || pin1.IsUsed)
            active = BootLoader.Boot(flash, PinLevels.AllLow.WithActive(pin0, pin1));

        return new FlashReport(flash.Size, Image1Header.HasMagic(first), defaultAddress, ota, pin0, pin1,
            FindImages(flash, defaultAddress, ota), inactive, active);
    }

    private static List<FoundImage> FindImages(NorFlash flash, uint defaultAddress, uint ota)
    {
        var found = new List<FoundImage>();
        var candidates = new SortedSet<uint> { defaultAddress };
        if (ota != SystemData.None) candidates.Add(ota % (uint)flash.Size);
        for (uint a = FlashLayout.DefaultImage2; a < flash.Size; a += FlashLayout.SectorSize) candidates.Add(a);

        foreach (uint address in candidates)
        {
            var image = FlashImage.Read(flash, address);
            bool plausible = image.Signature != SignatureState.Invalid
                && image.Header.Length is > 0 and < FlashLayout.TwoMiB
                && (image.Body.HasRtkWin || address == defaultAddress || address == ota);
            if (!plausible) continue;
            string role = address == defaultAddress ? "Default Image 2" : address == ota ? "OTA image" : "stray image";
            found.Add(new FoundImage(image, role));
        }
        return found;
    }
}

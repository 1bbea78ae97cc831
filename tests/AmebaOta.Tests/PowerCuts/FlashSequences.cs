using AmebaOta.Families.Ameba1.Flash;
using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Families.Ameba1.Push;
using AmebaOta.Flash;
using AmebaOta.Pins;
using AmebaOta.Protocol;
using AmebaOta.Tests.Protocol;
using AmebaOta.Tests.Support;
using AmebaOta.Tests.Support.PowerCuts;

namespace AmebaOta.Tests.PowerCuts;

/// <summary>
/// Every flash-writing sequence of the project, as <see cref="FlashSequence"/>s for <see cref="PowerCutCampaign"/>:
/// push OTA (through the real receiver over TCP on loopback), USB/DAP upload, and the system-data writes of
/// <c>setOtaAddress</c> / <c>setRecoverPin</c>. New paths (pull OTA) add theirs here.
/// </summary>
public static class FlashSequences
{
    private const int ImageSize = 8 * 1024;
    private static readonly byte Pin18 = RecoveryPin.ActiveHighFor(PinMap.Rtl8195a.ToChip(18)!.Value).Raw;
    private static readonly byte Pin0 = RecoveryPin.ActiveHighFor(PinMap.Rtl8195a.ToChip(0)!.Value).Raw;

    private static byte[] V(uint version) => TestImages.Image(version, ImageSize);

    private static byte[] Signed(byte[] image)
    {
        var signed = (byte[])image.Clone();
        SegmentHeader.Read(signed).WithSignature(SignatureState.New).Write(signed);
        return signed;
    }

    /// <summary>Right after a USB upload of v1: Default Image 2 at 0xB000 signed new, system data erased.</summary>
    public static NorFlash AfterUsbUpload() => TestImages.ChipWith(V(1));

    /// <summary>v1 running with its version-1 settings applied: OTA address 0x80000, recovery pin 18.</summary>
    public static NorFlash V1Configured() => V1Configured(withRecoveryPin: true);

    private static NorFlash V1Configured(bool withRecoveryPin)
    {
        var flash = AfterUsbUpload();
        var system = new SystemData(flash);
        system.SetOtaAddress(FlashLayout.DefaultOtaAddress);
        if (withRecoveryPin) system.SetRecoveryPins(Pin18);
        return flash;
    }

    /// <summary>After a first OTA: v1 at 0xB000 marked old, v2 at 0x80000 signed new and running.</summary>
    public static NorFlash AfterFirstOta() => AfterFirstOta(withRecoveryPin: true);

    /// <summary>The same, but no recovery pin was ever set (v1 did not call setRecoverPin).</summary>
    public static NorFlash AfterFirstOtaWithoutRecoveryPin() => AfterFirstOta(withRecoveryPin: false);

    private static NorFlash AfterFirstOta(bool withRecoveryPin)
    {
        var flash = V1Configured(withRecoveryPin);
        Chip.Write(flash, FlashLayout.DefaultOtaAddress, Signed(V(2)));
        flash.ProgramU32(FlashLayout.DefaultImage2 + 8, ImageSignature.OldWord1);
        return flash;
    }

    /// <summary>v2 by OTA at 0x80000, then v4 by USB: v4 at 0xB000 signed new, system data erased, v2 still signed new in the OTA slot.</summary>
    public static NorFlash UsbReflashOverOta()
    {
        var flash = AfterFirstOta();
        DapUpload.Write(flash, ImageFile.Parse(V(4)));
        return flash;
    }

    /// <summary>An OTA through the real receiver on loopback: <paramref name="bytes"/> sent as the stock upload_ota would.</summary>
    public static Func<NorFlash, Task> Ota(byte[] bytes) => async flash =>
    {
        var harness = await ReceiverHarness.StartAsync(flash);
        try
        {
            // No board address: the receiver stopped before it listened (a cut while syncing the OTA address).
            if (harness.Board is not null) await OtaUploader.UploadAsync(harness.Board, bytes);
        }
        catch (OtaUploadException)
        {
            // The board died mid-transfer: the host sees the connection drop.
        }
        var result = await harness.FinishAsync();
        if (!result.Succeeded) throw new InvalidOperationException($"the OTA failed without a power cut: {result.Outcome}");
    };

    /// <summary>The sequences that must leave a bootable, whole image wherever the power is cut.</summary>
    public static IReadOnlyList<FlashSequence> MustStayBootable { get; } =
    [
        new("push OTA, first update (v1 → v2 at 0x80000)", V1Configured, Ota(V(2)), [V(1), V(2)]),
        new("push OTA, second update over the running image (v2 at 0x80000 → v3)", AfterFirstOta, Ota(V(3)), [V(1), V(2), V(3)]),
        new("push OTA after a USB re-flash, stale image in the OTA slot (v4 at 0xB000, v2 at 0x80000 → v5)", UsbReflashOverOta, Ota(V(5)), [V(2), V(4), V(5)]),
        new("push OTA of a pre-signed image (ram_2.p.bin) as the host sends it, signature cleared", V1Configured,
            Ota(OtaImageAsSent.Prepare(ImageFile.Parse(Signed(V(2)))).Bytes), [V(1), V(2)]),
        FlashSequence.Sync("USB/DAP upload over a board that has an OTA image (v3 → 0xB000)", AfterFirstOta,
            flash => DapUpload.Write(flash, ImageFile.Parse(V(3))), V(1), V(2), V(3)),
        FlashSequence.Sync("setOtaAddress(0x80000), first write (erased word)", AfterUsbUpload,
            flash => new SystemData(flash).SetOtaAddress(FlashLayout.DefaultOtaAddress), V(1)),
        FlashSequence.Sync("setOtaAddress(0xC0000) over 0x80000: backup-sector rewrite", AfterFirstOta,
            flash => new SystemData(flash).SetOtaAddress(0xC0000), V(1), V(2)),
        FlashSequence.Sync("setRecoverPin(18), first write (erased word)", AfterFirstOtaWithoutRecoveryPin,
            flash => new SystemData(flash).SetRecoveryPins(Pin18), V(1), V(2)) with { RecoveryPins = [PinMap.Rtl8195a.ToChip(18)!.Value] },
        FlashSequence.Sync("setRecoverPin(0) over pin 18: backup-sector rewrite", AfterFirstOta,
            flash => new SystemData(flash).SetRecoveryPins(Pin0), V(1), V(2))
            with { RecoveryPins = [PinMap.Rtl8195a.ToChip(18)!.Value, PinMap.Rtl8195a.ToChip(0)!.Value] },
        .. AmebaDFlashSequences.MustStayBootable,
    ];

    /// <summary>Sequences where a stock board can end up starting a half-written image: reproduced flaws, each with the host's answer.</summary>
    public static IReadOnlyList<FlashSequence> ReproducedFlaws { get; } =
    [
        // Why OtaImageAsSent exists: the stock upload_ota sends a ram_2.p.bin as it is.
        new("push OTA of a pre-signed image (ram_2.p.bin) sent as is, as the stock upload_ota does", V1Configured,
            Ota(Signed(V(2))), [V(1), V(2)]),
        // USB/DAP writes the header (signed new) first. Nothing but a USB upload recovers; the DAP interface needs no firmware.
        FlashSequence.Sync("USB/DAP upload onto a board whose only image is Default Image 2 (v1 → v3)", AfterUsbUpload,
            flash => DapUpload.Write(flash, ImageFile.Parse(V(3))), V(1), V(3)),
    ];
}

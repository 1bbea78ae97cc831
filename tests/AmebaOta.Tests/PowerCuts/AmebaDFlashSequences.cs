using AmebaOta.Families.AmebaD.Boot;
using AmebaOta.Families.AmebaD.Flash;
using AmebaOta.Families.AmebaD.Images;
using AmebaOta.Flash;
using AmebaOta.Pins;
using AmebaOta.Tests.Families.AmebaD;
using AmebaOta.Tests.Support;
using AmebaOta.Tests.Support.PowerCuts;

namespace AmebaOta.Tests.PowerCuts;

/// <summary>
/// The AmebaD update's flash sequences for <see cref="PowerCutCampaign"/> (docs/reference section 11.4): the push through
/// the real receiver over TCP on loopback, from each bank to the other. A boot is whole when the bank the boot loader
/// chose holds one of the whole images byte for byte.
/// </summary>
public static class AmebaDFlashSequences
{
    private const int ImageSize = 16 * 1024;

    private static byte[] V(uint version) => AmebaDImages.Image(version, ImageSize);

    /// <summary>v1 in OTA1 after a USB upload, OTA2 erased.</summary>
    public static NorFlash AfterUsbUpload() => AmebaDImages.ChipWith(V(1));

    /// <summary>After a first OTA: v2 in OTA2 running, OTA1's signature cleared.</summary>
    public static NorFlash AfterFirstOta()
    {
        var flash = AfterUsbUpload();
        Chip.Write(flash, AmebaDFlashLayout.Ota2, V(2));
        flash.Program(AmebaDFlashLayout.Ota1, [0x00, 0xFF, 0xFF, 0xFF]);
        return flash;
    }

    /// <summary>v2 by OTA in OTA2, then v4 by USB into OTA1: the board still runs v2 (the USB-after-OTA trap).</summary>
    public static NorFlash UsbAfterOta()
    {
        var flash = AfterFirstOta();
        AmebaDUsbUpload.Write(flash, AmebaDImageFile.Parse(V(4)));
        return flash;
    }

    /// <summary>An AmebaD push through the real receiver: the OTA_All.bin of <paramref name="image"/>, sent as DownloadServer does.</summary>
    public static Func<NorFlash, Task> Ota(byte[] image) => async flash =>
    {
        var ota = AmebaDImageFile.Parse(image).ToOtaAll().Bytes;
        var harness = await AmebaDReceiverHarness.StartAsync(flash, receiveWindow: 1 << 20);
        await AmebaDRawSender.SendAsync(harness.Board, ota, oneWrite: true);   // a board that died mid-transfer just drops the connection
        var result = await harness.FinishAsync();
        if (!result.Succeeded) throw new InvalidOperationException($"the AmebaD OTA failed without a power cut: {result.Outcome}");
    };

    /// <summary>What booted: the chosen bank holding a whole image byte for byte, something else, or nothing.</summary>
    public static (CutBoot Kind, string Label, string Detail) Classify(NorFlash flash, PinLevels pins, IReadOnlyList<byte[]> whole)
    {
        var boot = AmebaDBootLoader.Boot(flash);
        if (!boot.Started || boot.Chosen is not { } bank)
            return (CutBoot.Unbootable, "none", $"{(boot.Log.Count > 0 ? boot.Log[^1] : "no boot line")} ({boot.Reason})");
        foreach (var image in whole)
            if (flash.Contents.Slice((int)bank.Start, image.Length).SequenceEqual(image))
                return (CutBoot.Whole, $"v{AmebaDImageFile.Parse(image).Sketch!.Version} in {OtaBanks.Name(bank.Bank)}", "");
        return (CutBoot.Partial, "partial", $"started a half-written image in {OtaBanks.Name(bank.Bank)} ({boot.Reason})");
    }

    private static FlashSequence Sequence(string name, Func<NorFlash> start, uint version, params uint[] whole) =>
        new(name, start, Ota(V(version)), [.. whole.Select(V)]) { Classify = Classify, RecoveryPins = [] };

    /// <summary>The AmebaD OTA sequences that must leave a bootable, whole image wherever the power is cut.</summary>
    public static IReadOnlyList<FlashSequence> MustStayBootable { get; } =
    [
        Sequence("AmebaD push OTA, first update (v1 in OTA1 → v2 into OTA2)", AfterUsbUpload, 2, 1, 2),
        Sequence("AmebaD push OTA, second update (v2 in OTA2 → v3 into OTA1)", AfterFirstOta, 3, 2, 3),
        Sequence("AmebaD push OTA after a USB upload over an OTA (v4 in OTA1 shadowed by v2 in OTA2 → v5 into OTA1)", UsbAfterOta, 5, 2, 4, 5),
    ];
}

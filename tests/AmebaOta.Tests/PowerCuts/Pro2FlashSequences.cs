using System.Net;
using AmebaOta.Boards;
using AmebaOta.Families.AmebaPro2.Boot;
using AmebaOta.Families.AmebaPro2.Flash;
using AmebaOta.Families.AmebaPro2.Images;
using AmebaOta.Families.AmebaPro2.Ota;
using AmebaOta.Flash;
using AmebaOta.Tests.OtaUi;
using AmebaOta.Tests.Support;
using AmebaOta.Tests.Support.PowerCuts;
using Xunit.Abstractions;

namespace AmebaOta.Tests.PowerCuts;

/// <summary>
/// The AmebaPro2 flash-writing sequences, cut at every flash operation: the OTA download (the real
/// <see cref="Pro2HttpUpdate"/> over TCP against a test server) into FW2 and, once FW2 runs, into FW1 over the older
/// valid image; an older build; and the USB upload. A boot counts as whole when the slot the boot code picks holds one of
/// the sequence's images byte for byte.
/// </summary>
public sealed class Pro2PowerCutTests(ITestOutputHelper output)
{
    private const int Size = 6 * 4096 + 4;

    private static byte[] V(uint version, ulong time) => Pro2Boards.Image(version, time, "127.0.0.1:1", Size);

    private static readonly byte[] V1 = V(1, 1_700_000_000), V2 = V(2, 1_800_000_000), V3 = V(3, 1_900_000_000), Older = V(9, 1_600_000_000);

    private static NorFlash OnlyV1() => Pro2Boards.Chip(V1);

    private static NorFlash V2RunningFromFw2()
    {
        var chip = OnlyV1();
        var fw2 = Pro2PartitionTable.Default(true).Fw2;
        var firmware = V2.AsSpan(0, V2.Length - 4);
        for (int at = 0; at < firmware.Length; at += NorFlash.SectorSize) chip.EraseSector(fw2.Start + (uint)at);
        chip.Program(fw2.Start, firmware);
        return chip;
    }

    private static Func<NorFlash, Task> Ota(ScriptedOtaUiServer server, byte[] image, int runningSlot) => async flash =>
    {
        server.Reply = DownloadReply.Ok(image);
        var board = new PullBoard(flash, new SerialPrinter(_ => { }), IPAddress.Loopback);
        int ret = await new Pro2HttpUpdate(board).RunAsync(server.EndPoint.Address.ToString(), server.EndPoint.Port, "api/uploadfile", runningSlot, CancellationToken.None);
        if (ret != 0 && !flash.IsPoweredOff) throw new InvalidOperationException($"the update failed without a power cut ({ret})");
    };

    private static Func<NorFlash, Pins.PinLevels, CutClassification> Whole(params byte[][] images) => (flash, _) =>
    {
        var boot = Pro2BootLoader.Boot(flash);
        if (!boot.Started) return new CutClassification(CutBoot.Unbootable, "none", $"{boot.Log[^1]} ({boot.Reason})");
        var slot = boot.Table!.Slot(boot.ChosenSlot!.Value);
        foreach (var image in images)
        {
            var firmware = image.AsSpan(0, image.Length - 4);
            if (flash.Read(slot.Start, firmware.Length).AsSpan().SequenceEqual(firmware))
                return new CutClassification(CutBoot.Whole, $"v{Pro2Image.Parse(image).Sketch!.Version} in FW{slot.Index}", "");
        }
        return new CutClassification(CutBoot.Partial, "partial", $"FW{slot.Index} started but is none of the images ({boot.Reason})");
    };

    public static TheoryData<string> Sequences => ["OTA into FW2 (v1 → v2)", "OTA into FW1 over the older valid image (v2 in FW2 → v3)", "OTA of an older build (v1 → older)"];

    [Theory]
    [MemberData(nameof(Sequences))]
    public async Task A_power_cut_at_any_flash_operation_of_an_amebapro2_update_leaves_a_board_that_boots_a_whole_image(string name)
    {
        await using var server = new ScriptedOtaUiServer();
        var sequence = name switch
        {
            "OTA into FW2 (v1 → v2)" => new FlashSequence(name, OnlyV1, Ota(server, V2, 1), []) { Classifier = Whole(V1, V2) },
            "OTA into FW1 over the older valid image (v2 in FW2 → v3)" => new FlashSequence(name, V2RunningFromFw2, Ota(server, V3, 2), []) { Classifier = Whole(V1, V2, V3) },
            _ => new FlashSequence(name, OnlyV1, Ota(server, Older, 1), []) { Classifier = Whole(V1) },
        };
        var report = await PowerCutCampaign.RunAsync(sequence);
        output.WriteLine(report.Summary);
        Assert.True(report.Failures.Count == 0, report.Describe());
        Assert.Equal(2 * report.Operations, report.Interrupted);
    }

    [Fact]
    public async Task A_usb_upload_cut_mid_write_can_start_a_half_written_fw1_because_the_uploader_writes_the_label_first()
    {
        var sequence = FlashSequence.Sync("USB upload into FW1 with v2 in FW2 (v3 → FW1)", V2RunningFromFw2,
            flash => Pro2UsbUpload.Write(flash, Pro2Image.Parse(V3))) with { Classifier = Whole(V2, V3) };
        var report = await PowerCutCampaign.RunAsync(sequence);
        output.WriteLine(report.Summary);
        Assert.True(report.PartialBoots > 0, report.Summary);
    }
}

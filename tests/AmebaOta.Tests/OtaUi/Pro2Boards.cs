using System.Net;
using AmebaOta.Device;
using AmebaOta.Device.Families.AmebaPro2;
using AmebaOta.Device.Sketches;
using AmebaOta.Families.AmebaPro2.Flash;
using AmebaOta.Families.AmebaPro2.Images;
using AmebaOta.Flash;
using AmebaOta.Images;
using AmebaOta.Protocol.OtaUi;
using AmebaOta.Tests.Device;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.OtaUi;

/// <summary>Virtual AMB82-mini boards for the tests: images, chips, and a board in-process with the OTA UI delays scaled down.</summary>
public static class Pro2Boards
{
    /// <summary>The OTA UI delays ten times faster (heartbeat every 350 ms; the listener closes after 50 ms).</summary>
    public static readonly OtaUiTiming Fast = OtaUiTiming.Real.Faster(10);

    public static byte[] Image(uint version, ulong timestamp, string server, int? size = null, int manifestVersion = 1) =>
        Pro2ImageBuilder.Build(new Pro2ImageOptions(
            new SketchDescriptor(version, Board: BoardKind.Rtl8735b, Mode: SketchMode.OtaHttp, RecoveryPin: Pins.RecoveryPin.Unused, Server: server),
            manifestVersion, timestamp, size));

    /// <summary>A 16 MiB chip with <paramref name="firmware"/> in FW1, as after a USB upload.</summary>
    public static NorFlash Chip(byte[] firmware, bool otaMode = true)
    {
        var chip = Pro2BlankChip.Create(otaMode: otaMode);
        Pro2UsbUpload.Write(chip, Pro2Image.Parse(firmware));
        chip.MarkClean();
        return chip;
    }

    public static BoardHarness Board(TempDir dir, NorFlash chip, FlashTiming? timing = null, OtaUiTiming? ota = null) =>
        new(dir, chip, o => o with
        {
            Family = AmebaPro2VirtualFamily.Instance,
            FlashTiming = timing ?? FlashTiming.Instant,
            Timing = SketchTiming.Real with { OtaUi = ota ?? Fast, OtaUiWifiBegin = TimeSpan.FromMilliseconds(10) },
        });

    /// <summary>The board's trigger listener (the n-th time it opened).</summary>
    public static async Task<IPEndPoint> TriggerPortAsync(BoardHarness board, int occurrence = 1)
    {
        var line = await board.Listener.WaitForAsync(l => l.StartsWith("open ", StringComparison.Ordinal), "trigger listener open", occurrence);
        return IPEndPoint.Parse(line["open ".Length..]);
    }
}

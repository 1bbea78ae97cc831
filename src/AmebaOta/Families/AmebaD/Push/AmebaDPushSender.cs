using AmebaOta.Families.AmebaD.Flash;
using AmebaOta.Families.AmebaD.Images;
using AmebaOta.Flash;
using AmebaOta.Images;
using AmebaOta.Protocol;

namespace AmebaOta.Families.AmebaD.Push;

/// <summary>
/// The push to an AmebaD board's <c>OTA_Basic</c> (<c>OTA::beginOTA(8082)</c>; docs/reference section 11.3), what
/// Realtek's closed <c>DownloadServer</c> does, made safe (section 11.7):
/// <list type="bullet">
/// <item>port 8082 whatever mDNS advertises (the sketch advertises 5000 and listens on its <c>OTA_PORT</c>);</item>
/// <item>an <c>OTA_All.bin</c>, or a <c>km0_km4_image2.bin</c> wrapped into one on the way (<see cref="AmebaDImageFile.ToOtaAll"/>),
/// checked first by <see cref="AmebaDPreflight"/> (no <c>OTA</c> id, a wrong offset or checksum, larger than a bank: refused);</item>
/// <item>the same 12-byte preamble <c>{sum, 0, length}</c> (the board reads and ignores it), then the file, over the shared
/// uploader: no pause of the host's own, the kernel holding data the board reads at once after its erase (its 3 s
/// <c>SO_RCVTIMEO</c> is on its reads), a stall budget covering the slowest erase of <c>ceil(ImgLen / 4096)</c> sectors;</item>
/// <item>after the last byte, the host waits for the board to close: it does once it has checked the image, whether the
/// checksum matched or not; only its reboot and new mDNS announcement tell a match.</item>
/// </list>
/// </summary>
public sealed class AmebaDPushSender(AmebaDFamily family) : PushSender
{
    /// <summary>Bytes of the file the board reads before it erases: the 12-byte preamble and the 32-byte OTA header.</summary>
    public const int ReadBeforeErase = OtaHeader.Size + OtaAllHeader.Size;

    /// <summary>After the checksum and the signatures, <c>ota_platform_reset</c> waits 100 ms (<c>vTaskDelay(100)</c>) before the sockets close.</summary>
    public static readonly TimeSpan ResetDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>Allowed on top of the slow verify for the board's close to arrive: its last window still to program, Wi-Fi retransmissions.</summary>
    public static readonly TimeSpan CloseMargin = TimeSpan.FromSeconds(5);

    /// <inheritdoc />
    public override BoardFamily Family => family;

    /// <summary>8082: <c>OTA_Basic</c>'s <c>OTA_PORT</c>, which Realtek's IDE pattern hard-codes.</summary>
    public override int DefaultPort => AmebaDFamily.OtaPort;

    /// <summary>False: <c>OTA_Basic</c> advertises 5000 and listens on 8082.</summary>
    public override bool ListensOnAdvertisedPort => false;

    /// <inheritdoc />
    public override string? PortNote(int advertised) => advertised == DefaultPort ? null :
        $"an AmebaD board's OTA_Basic advertises port {advertised} but listens on {DefaultPort} (its OTA_PORT, which the Arduino IDE's " +
        $"upload pattern also uses): sending to {DefaultPort} (--port overrides)";

    /// <summary>
    /// The file as the board takes it: an <c>OTA_All.bin</c> as it is, a <c>km0_km4_image2.bin</c> wrapped in the header
    /// Realtek's ImageTool writes. Refusals and warnings are <see cref="AmebaDPreflight"/>'s.
    /// </summary>
    public override PushImage Prepare(IFirmwareImage file)
    {
        var image = file as AmebaDImageFile ?? throw new ImageFormatException($"not an AmebaD image: it is {file.KindDescription}");
        var check = AmebaDPreflight.Check(image);
        var sent = image.ToOtaAll();
        var notes = image.Kind == AmebaDImageKind.OtaAll ? [] : new[]
        {
            $"the km0_km4_image2.bin is sent as OTA_All.bin: wrapped in the 32-byte header Realtek's ImageTool writes (id OTA1, " +
            $"{sent.Header!.Value.ImgLen} bytes, checksum 0x{sent.Header.Value.Checksum:x8}); no ImageTool needed",
        };
        return new PushImage(this, image, sent, check.Refusals, check.Warnings, notes);
    }

    /// <inheritdoc />
    public override FlashTiming TypicalFlash => AmebaDFlashTiming.Typical;

    /// <inheritdoc />
    public override FlashTiming SlowFlash => AmebaDFlashTiming.Slow;

    /// <summary><c>ceil(ImgLen / 4096)</c> sectors of the other bank: the image, not the file.</summary>
    public override long ErasedLength(PushImage image) => ImageLength(image);

    /// <summary>The board's update, as the virtual board runs it (<see cref="AmebaDOtaTime"/>): erase, write as it arrives, read-back.</summary>
    public override OtaTimeEstimate Estimate(PushImage image, FlashTiming timing)
    {
        long length = ImageLength(image);
        var board = AmebaDOtaTime.Estimate(timing, length);
        return new OtaTimeEstimate(length, timing) { Program = board.Write, Verify = board.Verify };
    }

    private static long ImageLength(PushImage image) =>
        image.Sent is AmebaDImageFile { Header: { } header } ? header.ImgLen : Math.Max(0, image.Length - OtaAllHeader.Size);

    /// <summary>lwIP's <c>TCP_WND</c> on the RTL8721D is 5 × 1460 bytes: more than 8 KiB is never acknowledged while it erases.</summary>
    protected override long ErasingWindow => 12 * 1024;

    /// <summary>The slow verify, the 100 ms before the close, and a margin.</summary>
    protected override TimeSpan? CloseWait(PushImage image) => Slow(image).Verify + ResetDelay + CloseMargin;

    /// <inheritdoc />
    protected override string AfterReset(long ackedWireBytes) =>
        "the board prints " + (ackedWireBytes < OtaHeader.Size ? "\"Receive firmware file_info failed\""
            : ackedWireBytes < ReadBeforeErase ? "\"Receive firmware header failed\""
            : "\"Read socket failed\" and \"Download new firmware failed\"") +
        ", keeps booting its old image, and listens again only after a reset (OTA_Basic takes one try per boot)";

    /// <inheritdoc />
    protected override string WhenCut => "the board fails the update, keeps its old image and needs a reset before it listens again";

    /// <summary>
    /// <c>OTA_Basic</c> registers mDNS, then listens about 3 s later (docs/reference section 11.6): a board that has just
    /// announced itself (after a reboot, or found by <c>--device</c> as it boots) refuses connections meanwhile.
    /// </summary>
    public override TimeSpan ListenLag => TimeSpan.FromSeconds(4);

    /// <inheritdoc />
    public override string NotListening =>
        "an AmebaD board's OTA_Basic takes one try per boot: after any attempt that failed (a checksum error, a cut transfer, a port probe) " +
        "nothing listens on 8082 until the board is reset (press its reset button or power-cycle it); a board that has just booted listens " +
        "once its serial output says \"Waiting for client ...\"";

    /// <inheritdoc />
    public override string AfterUpload(OtaUploadResult result) => result.BoardClose is { } close
        ? $"{Closed(close)}; the wire cannot tell which: --wait-reboot watches for the reboot and new mDNS announcement that follow a match"
        : $"the board took every byte but did not close the connection (a stock OTA_Basic closes right after checking the image, then reboots): " +
          "--wait-reboot watches for the reboot";

    /// <inheritdoc />
    public override string? WhileWaiting(OtaUploadResult result) => result.BoardClose is { } close
        ? Closed(close)
        : "the board did not close the connection after the last byte";

    private static string Closed(BoardClose close) =>
        $"the board closed the connection{(close.Reset ? " (with a reset)" : "")} {FormatMs(close.After)} after the last byte: it has checked the image " +
        "(it closes the same way when the checksum does not match)";

    private static string FormatMs(TimeSpan t) => t.TotalSeconds < 1 ? $"{t.TotalMilliseconds:0} ms" : $"{t.TotalSeconds:0.0} s";

    /// <summary>The USB-after-OTA trap, when the history says the board runs OTA2.</summary>
    public override string? BeforeUpdate(string board, IReadOnlyList<Fleet.History.UploadRecord> history) => UsbAfterOtaTrap.BeforeUpdate(board, history);

    /// <summary>Where the new image is by the history, and the USB-after-OTA trap when it is (or may be) in OTA2.</summary>
    public override string? AfterUpdate(string board, IReadOnlyList<Fleet.History.UploadRecord> history) => UsbAfterOtaTrap.AfterUpdate(board, history);

    /// <inheritdoc />
    public override string RebootMeaning =>
        "an AmebaD board's OTA_Basic reboots only after the checksum matched and the new bank's signature was written, so it now boots " +
        "the new image (its serial output says which bank: \"OTA1 USE\" or \"OTA2 USE\")";

    /// <inheritdoc />
    public override string NotBack(OtaUploadResult? result) => result?.BoardClose is not null
        ? "the board closed the connection after taking every byte, which it also does when the checksum does not match: most likely " +
          "the checksum failed (its serial output says \"checksum error!!!\"); it keeps its old image and listens again only after a reset"
        : "the board took every byte but neither closed the connection nor came back: it may have lost power or Wi-Fi while checking the image " +
          "(its serial output says); it needs a reset before it listens again";
}

using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Flash;
using AmebaOta.Images;
using AmebaOta.Protocol;

namespace AmebaOta.Families.Ameba1.Push;

/// <summary>
/// The push to an Ameba1 board's <c>OTA.beginLocal(port)</c> (docs/reference sections 6, 7 and 9): the port its mDNS
/// advertisement gives, an <c>ota.bin</c> checked by <see cref="OtaPreflight"/> and sent with a "new" signature cleared
/// (<see cref="OtaImageAsSent"/>), an erase of the whole file's sectors before the first byte is read.
/// </summary>
public sealed class Ameba1PushSender(Ameba1Family family) : PushSender
{
    /// <inheritdoc />
    public override BoardFamily Family => family;

    /// <summary>5000: the stock examples' <c>OTA.beginLocal(5000)</c>.</summary>
    public override int DefaultPort => 5000;

    /// <inheritdoc />
    public override PushImage Prepare(IFirmwareImage file)
    {
        var image = file as ImageFile ?? throw new ImageFormatException($"not an Ameba1 image: it is {file.KindDescription}");
        var asSent = OtaImageAsSent.Prepare(image);
        return new PushImage(this, image, asSent.Image, asSent.Check.Refusals, asSent.Check.Warnings, asSent.Notes);
    }

    /// <inheritdoc />
    public override FlashTiming TypicalFlash => FlashTiming.Typical;

    /// <inheritdoc />
    public override FlashTiming SlowFlash => FlashTiming.Slow;

    /// <summary><c>beginLocal</c> erases <c>ceil(length / 4096)</c> sectors of the whole file.</summary>
    public override long ErasedLength(PushImage image) => image.Length;

    /// <inheritdoc />
    protected override string AfterReset(long ackedWireBytes) =>
        "the board prints " + (ackedWireBytes < OtaHeader.Size ? "\"Fail to read OTA info\"" : "\"Download fail\"") +
        " and \"OTA fail\" and keeps booting its old image (an ota_basic board listens again only after a reset; an ota_non_block board retries after 10 s)";

    /// <inheritdoc />
    protected override string WhenCut => "the board prints \"Download fail\"";

    /// <summary>Nothing to add to "nothing listens on that port".</summary>
    public override string NotListening => "";

    /// <inheritdoc />
    public override string AfterUpload(OtaUploadResult result) =>
        "the board does not answer: it verifies the checksum, prints \"OTA success\" and reboots into the new image";

    /// <inheritdoc />
    public override string RebootMeaning =>
        "which image it booted does not show on the network: its serial output says (\"OTA success\", then the new sketch; " +
        "after a power cut while it wrote or verified the image it runs the old one)";

    /// <inheritdoc />
    public override string NotBack(OtaUploadResult? result) =>
        "it has probably not rebooted into the new image (its serial output says why: \"Bad checksum\", \"OTA fail\")";
}

using AmebaOta.Families.Ameba1.Push;
using AmebaOta.Families.AmebaD.Flash;
using AmebaOta.Families.AmebaD.Images;

namespace AmebaOta.Families.AmebaD.Push;

/// <summary>
/// What the host checks before it sends an AmebaD image (docs/reference section 11.7), against the stock receiver's
/// behaviour (section 11.4): it takes the first header's id on trust if it starts with <c>OTA</c>, reads the image from
/// where the header says, erases <c>ceil(ImgLen / 4096)</c> sectors of the other bank with no size check, writes the
/// first 8 bytes last as the bank's signature and then clears the signature of the bank it runs from. So a file it
/// cannot boot leaves the board with no bootable bank. Refusals are what would fail or harm a board; warnings are odd
/// but harmless. Each is one sentence.
/// </summary>
public static class AmebaDPreflight
{
    /// <summary>Bytes the receiver reads the OTA header into (<c>BUF_SIZE</c>).</summary>
    public const int ReceiverBuffer = 512;

    /// <summary>Checks <paramref name="file"/> as a board would take it (a bare image is checked wrapped as Realtek's tools wrap it).</summary>
    public static OtaPreflightResult Check(AmebaDImageFile file)
    {
        var refusals = new List<string>();
        var warnings = new List<string>();
        var ota = file.ToOtaAll();
        var header = ota.Header!.Value;

        if (!header.IdStartsWithOta)
            refusals.Add($"its image id is '{header.IdText}', not 'OTA…': the board prints \"Get OTA header failed\" and listens no more until reset");
        if (header.HdrNum != 1)
            refusals.Add($"its header counts {header.HdrNum} images, not 1: the stock receiver " +
                (header.HdrNum == 0 ? "finds no image and fails" : "writes every image it finds into the same bank (it has room for 2 headers and no check)"));
        if (header.ImgHdrLen < OtaAllHeader.ImageHeaderSize)
            refusals.Add($"its image-header length is {header.ImgHdrLen}, less than the {OtaAllHeader.ImageHeaderSize} bytes a board reads as one header");
        else if (header.ExpectedOffset > ReceiverBuffer)
            refusals.Add($"its headers take {header.ExpectedOffset} bytes, more than the board's {ReceiverBuffer}-byte buffer: the stock receiver would overrun it");
        if (header.Offset != header.ExpectedOffset)
            refusals.Add($"its image offset is {header.Offset}, not 8 + {header.HdrNum} × {header.ImgHdrLen} = {header.ExpectedOffset}: the board takes the image to start " +
                $"right after the headers, so it would write {(header.Offset > header.ExpectedOffset ? "padding" : "header bytes")} as firmware");
        if (header.ImgLen < SubImageHeader.Length)
            refusals.Add(header.ImgLen == 0
                ? "its image length is 0: the board's sector count ((0 - 1) / 4096 + 1 in u32) underflows and it would erase the whole chip, boot images included"
                : $"its image length is {header.ImgLen} bytes, less than one sub-image header");
        else if (header.ImgLen > ota.ImageLength)
            refusals.Add($"its header says the image is {header.ImgLen} bytes but the file holds {ota.ImageLength} after offset {header.Offset} (truncated?): the board would wait, time out or fail its checksum");
        if (header.ImgLen > AmebaDFlashLayout.BankSize)
            refusals.Add($"the image is {header.ImgLen} bytes, over a bank's {AmebaDFlashLayout.BankSize} (0x{AmebaDFlashLayout.BankSize:X}): the board erases and writes with no size check, " +
                "into the user data and OTA2 from OTA1, or past the end of the chip into the boot images from OTA2");
        if (header.Checksum != ota.ImageChecksum)
            refusals.Add($"its header checksum 0x{header.Checksum:x8} is not the image's byte sum 0x{ota.ImageChecksum:x8}: the board would erase and write a whole bank, then print \"checksum error\" and keep its old firmware");

        if (ota.Image is null)
            refusals.Add($"{ota.ImageError}: the board would write it and clear the signature of the bank it runs from, leaving no bootable bank");
        else
            foreach (var problem in ota.Image.Problems)
                refusals.Add($"{problem}; the board would write it and clear the signature of the bank it runs from, leaving no bootable bank");

        if (header.FlashAddr != OtaAllHeader.DefaultFlashAddr)
            warnings.Add($"its flash address 0x{header.FlashAddr:x8} is ignored: a board writes the bank it is not running from");
        long trailing = ota.Length - (long)header.Offset - header.ImgLen;
        if (trailing > 0 && header.Offset <= ota.Length)
            warnings.Add($"{trailing} bytes follow the image: a board ignores them and closes with them unread, which the sender sees as a reset");
        return new OtaPreflightResult(refusals, warnings);
    }
}

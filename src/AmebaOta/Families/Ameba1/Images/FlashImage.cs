using AmebaOta.Flash;
using AmebaOta.Images;

namespace AmebaOta.Families.Ameba1.Images;

/// <summary>An Image 2 (and its Image 3, if any) as it stands in flash at some address.</summary>
public sealed record FlashImage(uint Address, SegmentHeader Header, Image2Body Body, SegmentHeader? Image3)
{
    /// <summary>Whether the image is signed new, old or not at all.</summary>
    public SignatureState Signature => Header.Signature;

    /// <summary>Address just past Image 2's body: where Image 3's header would be (u32 arithmetic, as the loader does).</summary>
    public uint Image3HeaderAddress => unchecked(Address + SegmentHeader.Size + Header.Length);

    /// <summary>Bytes the image occupies: header + body (+ Image 3 header + body).</summary>
    public long TotalLength => SegmentHeader.Size + (long)Header.Length + (Image3 is { } i3 ? SegmentHeader.Size + (long)i3.Length : 0);

    /// <summary>Reads the image whose segment header is at <paramref name="address"/>.</summary>
    public static FlashImage Read(NorFlash flash, uint address)
    {
        var header = SegmentHeader.Read(flash.Read(address, SegmentHeader.Size));
        int prefix = (int)Math.Min(header.Length, Image2Body.PrefixLength);
        var body = Image2Body.Parse(flash.Read(address + SegmentHeader.Size, prefix));
        var image3Header = SegmentHeader.Read(flash.Read(unchecked(address + SegmentHeader.Size + header.Length), SegmentHeader.Size));
        return new FlashImage(address, header, body, image3Header.IsImage3 ? image3Header : null);
    }

    /// <summary>Byte sum of header (with the unsigned signature the host sent) + body (+ Image 3): equals the ota.bin checksum of the image that was uploaded.</summary>
    public uint UploadChecksum(NorFlash flash)
    {
        var unsigned = Header.WithSignature(SignatureState.Unsigned);
        Span<byte> h = stackalloc byte[SegmentHeader.Size];
        unsigned.Write(h);
        uint sum = Checksum.ByteSum(h);
        long rest = TotalLength - SegmentHeader.Size;
        if (rest > flash.Size) return sum;
        return Checksum.Add(sum, flash.Read(Address + SegmentHeader.Size, (int)rest));
    }
}

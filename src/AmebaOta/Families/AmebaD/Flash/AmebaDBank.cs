using AmebaOta.Families.AmebaD.Images;
using AmebaOta.Flash;

namespace AmebaOta.Families.AmebaD.Flash;

/// <summary>
/// One OTA bank as it stands in flash: its first 8 bytes (the signature the boot loader checks) and the image laid out
/// after them. Only headers and the start of RAM bodies are read, as the boot loader does.
/// </summary>
public sealed record AmebaDBank(OtaBank Bank, uint Start, byte[] SignatureBytes, Km0Km4Image Image)
{
    /// <summary>True when the bank starts with <c>81958711</c>: the boot loader may boot it.</summary>
    public bool IsValid => SubImageHeader.StartsSigned(SignatureBytes);

    /// <summary>True when all 8 signature bytes are erased (0xFF): nothing was ever written, or an update was cut before its last step.</summary>
    public bool IsErased => SignatureBytes.All(b => b == 0xFF);

    /// <summary>The signature for people: <c>81958711</c>, or its hex bytes.</summary>
    public string SignatureText => SubImageHeader.DescribeSignature(SignatureBytes);

    /// <summary>Reads <paramref name="bank"/> of <paramref name="flash"/>. The image is read as if signed, so a bank whose signature was cleared still shows what it holds.</summary>
    public static AmebaDBank Read(NorFlash flash, OtaBank bank)
    {
        uint start = AmebaDFlashLayout.Start(bank);
        var signature = ReadRaw(flash, start, SubImageHeader.SignatureLength);
        int limit = Math.Min(AmebaDFlashLayout.BankSize, flash.Size - (int)start);
        var image = Km0Km4Image.Read((offset, length) =>
        {
            int n = Math.Max(0, Math.Min(length, limit - offset));
            var bytes = ReadRaw(flash, start + (uint)offset, n);
            // The first header's signature is looked at by IsValid; the layout is read whatever it says.
            if (offset == 0 && bytes.Length >= SubImageHeader.SignatureLength) SubImageHeader.Signature.CopyTo(bytes);
            return bytes;
        }, limit);
        return new AmebaDBank(bank, start, signature, image);
    }

    /// <summary>Bytes straight from the array, without charging flash read time (the boot loader's reads are part of its boot time, not modelled).</summary>
    private static byte[] ReadRaw(NorFlash flash, uint address, int length)
    {
        var bytes = new byte[length];
        flash.Contents.Slice((int)address, length).CopyTo(bytes);
        return bytes;
    }
}

namespace AmebaOta.Families.Ameba1.Images;

/// <summary>State of a segment header's two signature words (docs/reference section 2).</summary>
public enum SignatureState
{
    /// <summary>"81958711": a valid image the boot loader prefers.</summary>
    New,
    /// <summary>"01958711": superseded by an OTA image; booted only in recovery.</summary>
    Old,
    /// <summary>0xFFFFFFFF 0xFFFFFFFF: as in ota.bin; the board signs it after verifying.</summary>
    Unsigned,
    /// <summary>Anything else: not an image.</summary>
    Invalid,
}

/// <summary>The signature words of an Image 2 segment header, and what they mean to the boot loader.</summary>
public static class ImageSignature
{
    /// <summary>First word of a "new" (bootable, preferred) image.</summary>
    public const uint NewWord1 = 0x35393138;
    /// <summary>First word of an "old" image (replaced by an OTA).</summary>
    public const uint OldWord1 = 0x35393130;
    /// <summary>Second word of any signed image.</summary>
    public const uint Word2 = 0x31313738;
    /// <summary>An unsigned (erased) word.</summary>
    public const uint UnsignedWord = 0xFFFFFFFF;

    /// <summary>What two signature words mean.</summary>
    public static SignatureState Classify(uint word1, uint word2) => (word1, word2) switch
    {
        (NewWord1, Word2) => SignatureState.New,
        (OldWord1, Word2) => SignatureState.Old,
        (UnsignedWord, UnsignedWord) => SignatureState.Unsigned,
        _ => SignatureState.Invalid,
    };

    /// <summary>The words that encode <paramref name="state"/>.</summary>
    public static (uint Word1, uint Word2) Words(SignatureState state) => state switch
    {
        SignatureState.New => (NewWord1, Word2),
        SignatureState.Old => (OldWord1, Word2),
        SignatureState.Unsigned => (UnsignedWord, UnsignedWord),
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "an invalid signature has no words"),
    };

    /// <summary>A short description for messages.</summary>
    public static string Describe(SignatureState state) => state switch
    {
        SignatureState.New => "new (\"81958711\")",
        SignatureState.Old => "old (\"01958711\")",
        SignatureState.Unsigned => "unsigned (0xFF)",
        _ => "none (not an image)",
    };
}
